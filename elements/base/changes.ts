/**
 * Page-wide settings (`configure()`, `setMessages()`) can change after elements have
 * rendered; connected elements subscribe here so they re-render with the new values.
 */
type Listener = () => void;

const listeners = new Set<Listener>();

export function onSettingsChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function settingsChanged(): void {
  for (const listener of listeners) listener();
}
