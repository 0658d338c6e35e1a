/** Counters the control API reports: REST calls per operation and messages delivered to client sockets. */
export class WebPubSubStats {
  private readonly restCalls = new Map<string, number>();
  messagesDelivered = 0;

  countRest(operation: string): void {
    this.restCalls.set(operation, (this.restCalls.get(operation) ?? 0) + 1);
  }

  restCallCounts(): Record<string, number> {
    return Object.fromEntries(this.restCalls);
  }

  reset(): void {
    this.restCalls.clear();
    this.messagesDelivered = 0;
  }
}
