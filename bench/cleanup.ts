/**
 * What a bench step must undo (child processes, a database, Redis keys), undone even when
 * the step fails or the bench is interrupted: a bench run leaves nothing behind.
 */
export class Cleanup {
  private static readonly pending = new Set<Cleanup>();
  private readonly steps: { what: string; undo: () => Promise<unknown> }[] = [];

  constructor() {
    Cleanup.pending.add(this);
  }

  add(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  private running: Promise<void> | undefined;

  /**
   * Undoes everything, last added first; a step that fails is reported and the others
   * still run. Every caller (the step's own `finally`, an interrupt) waits for the same run.
   */
  run(): Promise<void> {
    return (this.running ??= this.undo());
  }

  private async undo(): Promise<void> {
    for (const { what, undo } of this.steps.splice(0).reverse()) {
      try {
        await undo();
      } catch (e) {
        console.error(`bench cleanup: could not ${what}: ${(e as Error).message}`);
      }
    }
    Cleanup.pending.delete(this);
  }

  /** Undoes every step not yet undone: for an interrupted run. */
  static async runAll(): Promise<void> {
    for (const cleanup of [...Cleanup.pending]) await cleanup.run();
  }
}
