import { h } from './dom';

/** A section's status line: what the last action did, or (as an error) why it failed. */
export class StatusLine {
  readonly element = h('p', { class: 'status', role: 'status' });

  say(text: string): void {
    this.element.textContent = text;
    this.element.classList.remove('error');
  }

  fail(text: string): void {
    this.element.textContent = text;
    this.element.classList.add('error');
  }

  /** Clears the line, runs `action`, and shows its error if it throws. */
  async run(action: () => Promise<void>): Promise<void> {
    this.say('');
    try {
      await action();
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }
}
