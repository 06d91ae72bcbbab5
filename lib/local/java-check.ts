import { spawn } from 'node:child_process';

/** The oldest Java that runs the bundled DynamoDB Local 3. */
export const minimumJavaVersion = 17;

const installHint = `install Java ${minimumJavaVersion} or newer (e.g. apt-get install -y openjdk-17-jre-headless), or set DYNAMODB_ENDPOINT to a running DynamoDB Local`;

/**
 * Runs `java -version` and explains, in one line, why DynamoDB Local cannot start; `undefined` when Java is fine.
 * @example
 * ```ts
 * const problem = await findJavaProblem();
 * if (problem !== undefined) console.error(problem);
 * ```
 */
export async function findJavaProblem(): Promise<string | undefined> {
  const output = await new Promise<string | undefined>((resolve) => {
    let text = '';
    const child = spawn('java', ['-version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', () => resolve(undefined));
    child.once('close', () => resolve(text));
  });
  if (output === undefined) return `Java was not found: ${installHint}.`;
  const major = javaMajorVersion(output);
  if (major !== undefined && major < minimumJavaVersion) return `Java ${major} is too old for DynamoDB Local: ${installHint}.`;
  return undefined;
}

/** The major version in `java -version` output: `"1.8.0_392"` is 8, `"17.0.15"` is 17. */
export function javaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}
