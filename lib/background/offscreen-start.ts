/**
 * The offscreen document as soon as the device is enrolled, not only once a conversation arrives:
 * it follows the endpoint's document push (`/v1/documents/changes`) and answers the console
 * script's draft checks on their port, and neither exists on a fresh browser start until it does.
 * Asked for at every sync (service-worker start, install, enrolment, the sync alarm), so a document
 * that went away comes back; creating it is idempotent (one look-up, one creation at a time).
 */
export interface OffscreenStartDeps {
  /** Makes sure the offscreen document exists, creating it (with its usual reasons) when missing. */
  ensure(): Promise<void>;
  log(level: 'info' | 'warn', msg: string): void;
}

/** Returns what the sync calls with whether the device is enrolled; resolves once it is decided. */
export function offscreenWhenEnrolled(deps: OffscreenStartDeps): (enrolled: boolean) => Promise<void> {
  let running: Promise<void> | undefined;
  let warned = false;
  return (enrolled) => {
    if (!enrolled) return Promise.resolve();
    running ??= deps
      .ensure()
      .catch((e: unknown) => {
        // Once per service-worker instance: the sync alarm asks again every minute.
        if (warned) return;
        warned = true;
        deps.log('warn', `offscreen document not started at enrolment: ${String(e)}`);
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
