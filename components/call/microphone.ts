/**
 * The microphone is asked for here, in the visible side panel, at the agent's click: the offscreen
 * document that records it cannot show a permission prompt. Once granted to the extension, the
 * offscreen document may open it; refused, the call still runs on the customer's side and the
 * strip says why the agent's side is missing.
 */
export async function askMicrophone(): Promise<'granted' | 'denied' | 'unavailable'> {
  const media = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  if (!media?.getUserMedia) return 'unavailable';
  try {
    const stream = await media.getUserMedia({ audio: true, video: false });
    for (const t of stream.getTracks()) t.stop();
    return 'granted';
  } catch (e) {
    const name = e instanceof DOMException ? e.name : '';
    return name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'unavailable';
  }
}
