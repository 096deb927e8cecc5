/**
 * Which methods a page shows, shared by the figures and tables that draw them: the legend toggles a method,
 * every subscriber redraws itself in place (no page cell re-runs, so nothing jumps and keyboard focus stays
 * where it was), and the page writes the hidden set to its URL from one subscriber.
 */

export interface MethodFilter {
  /** The hidden method ids, in no particular order. */
  hidden(): string[];
  isShown(id: string): boolean;
  toggle(id: string): void;
  /**
   * Call `listener` after every change. With `owner`, the listener is dropped once `owner` has been in the
   * document and left it (a figure redrawn by its page). Returns a function that unsubscribes.
   */
  subscribe(listener: () => void, owner?: Element): () => void;
}

export function createMethodFilter(initialHidden: readonly string[] = []): MethodFilter {
  const hidden = new Set(initialHidden);
  let listeners: { listener: () => void; owner?: Element; seen: boolean }[] = [];
  const notify = () => {
    listeners = listeners.filter((l) => {
      if (!l.owner) return true;
      if (l.owner.isConnected) l.seen = true;
      return !l.seen || l.owner.isConnected;
    });
    for (const l of listeners.slice()) l.listener();
  };
  return {
    hidden: () => [...hidden],
    isShown: (id) => !hidden.has(id),
    toggle(id) {
      if (hidden.has(id)) hidden.delete(id);
      else hidden.add(id);
      notify();
    },
    subscribe(listener, owner) {
      const entry = { listener, owner, seen: owner?.isConnected ?? false };
      listeners.push(entry);
      return () => {
        listeners = listeners.filter((l) => l !== entry);
      };
    },
  };
}
