/**
 * A mutex per name, in-process: `run(name, fn)` runs `fn` once every earlier `run` of the
 * same name has settled. The fs store installs, deletes and conditionally replaces a blob
 * under it, so a conditional write's check and its rename are one step for this process.
 */
export class NameLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` holding `name`; resolves or rejects as `fn` does. */
  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(name, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // The last holder leaves no entry behind (the map stays as small as the contention).
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    }
  }
}
