/**
 * Desktop notifications for lead alerts. The quiet setting and the endpoint's quiet hours
 * (`alert.notify === false`) are honoured by the caller; this only talks to the browser.
 */
import { browser } from 'wxt/browser';

/** A plain blue disc: notifications need an icon and the extension ships no image files yet. */
const ICON =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAYAAABXAvmHAAAAmElEQVR42u3ayw2AMAwE0XREaVRODVABSiAfezdjifu8G9iUwhjNcV53yyMZnQ7TGx4GGR2+FDI7fhpiVfgUSFT8EER0fDdCGpAl/hciW/xnhDQga3wzQhqQPb6KABAJUIl/RQAAAAAAAADSAN6FAGzyTeD/SclWgt2Q4XZu3+Wu/Hrd4sBhcWKyOfJZnFltDt02vxownfMAj/sokhlabHAAAAAASUVORK5CYII=';

export interface DesktopNotifier {
  notify(n: { id: string; title: string; message: string }): Promise<void>;
}

export const desktopNotifier: DesktopNotifier = {
  async notify({ id, title, message }) {
    if (!browser.notifications) return; // permission missing (e.g. a policy removed it)
    await browser.notifications.create(id, {
      type: 'basic',
      iconUrl: ICON,
      title,
      message,
      priority: 2,
    });
  },
};
