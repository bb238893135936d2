/** Services started for the test run. Filled in by the suites that need them. */
export async function startServices(): Promise<() => Promise<void>> {
  return async () => {};
}
