/** Progress lines on stderr, so stdout stays free for the report. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
