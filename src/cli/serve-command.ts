// `threadgate serve`: for now it checks that the rules load and says the HTTP service is not there yet.
import { formatIssue, isThreadgateError } from '../core/errors.ts';
import { loadRulesDir } from '../rules/load-rules-dir.ts';

const HELP = `threadgate serve [rules-dir]

Loads and checks the rules (default ./rules or $THREADGATE_RULES). The HTTP service arrives with the HTTP API issue.
`;

export async function runServe(args: string[]): Promise<number> {
  if (args.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(HELP);
    return 0;
  }
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
