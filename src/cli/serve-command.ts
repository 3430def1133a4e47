// `threadgate serve`: for now it checks that the rules load and says the HTTP service is not there yet.
import { formatIssue, isThreadgateError } from '../core/errors.ts';
import { loadRulesDir } from '../rules/load-rules-dir.ts';

export async function runServe(args: string[]): Promise<number> {
  const dir = args[0] ?? process.env.THREADGATE_RULES ?? 'rules';
  try {
    const rules = await loadRulesDir(dir);
    process.stdout.write(`threadgate: ${rules.threads.size} thread(s) and ${rules.widgets.size} widget(s) in ${dir} compile.\n`);
    process.stdout.write('threadgate: the HTTP service is not built yet (it arrives with the HTTP API issue); nothing to serve.\n');
    return 0;
  } catch (err) {
    if (!isThreadgateError(err)) throw err;
    for (const issue of err.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
}
