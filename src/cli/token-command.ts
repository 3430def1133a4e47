// `threadgate token`: mints a development User Identity JWT with a widget's own HMAC key, for trying things out.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatIssue, isThreadgateError } from '../core/errors.ts';
import { processIo, type CliIo } from './io.ts';

const HELP = `threadgate token --widget <id> (--email <address> | --phone <+E164>) [--name <name>] [--sub <id>] [--ttl <seconds>] [--rules <dir>]

Signs a User Identity JWT the way a website's backend would, with the widget's first HMAC key (jwt.keys).
The secret comes from the environment variable the widget names, or else from the development secrets file
that \`threadgate serve\` generates (data/secrets.json). Prints the token on stdout.
`;

export async function runToken(args: string[], io: CliIo = processIo()): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        widget: { type: 'string' },
        email: { type: 'string' },
        phone: { type: 'string' },
        name: { type: 'string' },
        sub: { type: 'string' },
        ttl: { type: 'string' },
        rules: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`threadgate token: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (!values.widget || (!values.email && !values.phone)) {
    io.stderr.write(`threadgate token: --widget and --email or --phone are required\n\n${HELP}`);
    return 2;
  }
  const ttl = values.ttl ? Number(values.ttl) : 300;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 3600) {
    io.stderr.write('threadgate token: --ttl must be whole seconds between 1 and 3600\n');
    return 2;
  }
  try {
    // Imported here, not at the top: signing, the config and the rules loader are not needed for --help or bad usage.
    const [{ signUserIdentity }, { loadConfig }, { loadRulesDir }] = await Promise.all([import('../auth/index.ts'), import('../http/config.ts'), import('../rules/load-rules-dir.ts')]);
    const config = loadConfig(io.env, values.rules ? { rulesDir: values.rules } : {});
    const rules = await loadRulesDir(config.rulesDir);
    const widget = rules.widgets.get(values.widget);
    if (!widget) throw new Error(`no widget "${values.widget}" in ${config.rulesDir} (widgets: ${[...rules.widgets.keys()].join(', ')})`);
    const key = widget.jwt?.keys?.find((k) => k.alg.startsWith('HS'));
    if (!key || !key.secret) throw new Error(`widget "${widget.id}" has no HMAC key in jwt.keys; sign with your own private key instead`);
    let secret: string | undefined;
    if (typeof key.secret === 'string') secret = key.secret;
    else {
      secret = io.env[key.secret.env];
      if (!secret) {
        const stored = JSON.parse(await readFile(config.secretsFile, 'utf8').catch(() => '{}')) as Record<string, string>;
        secret = stored[key.secret.env];
      }
      if (!secret) throw new Error(`set ${key.secret.env}, or run \`threadgate serve\` once to generate ${config.secretsFile}`);
    }
    const issuer = Array.isArray(widget.jwt!.issuer) ? widget.jwt!.issuer[0] : widget.jwt!.issuer;
    const audience = Array.isArray(widget.jwt!.audience) ? widget.jwt!.audience[0] : widget.jwt!.audience;
    const token = await signUserIdentity(
      { ...(values.email ? { email: values.email } : {}), ...(values.phone ? { phone: values.phone } : {}), ...(values.name ? { name: values.name } : {}), ...(values.sub ? { sub: values.sub } : {}) },
      { alg: key.alg, secret, ...(key.kid ? { kid: key.kid } : {}) },
      { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}), now: new Date(), expiresInSeconds: ttl, ...(widget.jwt!.typ ? { typ: widget.jwt!.typ } : {}) },
    );
    io.stdout.write(`${token}\n`);
    return 0;
  } catch (err) {
    if (isThreadgateError(err)) io.stderr.write(`threadgate token: ${err.issues.map(formatIssue).join('\n')}\n`);
    else io.stderr.write(`threadgate token: ${(err as Error).message}\n`);
    return 1;
  }
}
