// Reading QR codes with the camera: the browser's BarcodeDetector where it has one (Chrome and Edge
// on Android, macOS and ChromeOS, for instance) on frames from getUserMedia. Where either is
// missing the desk offers typing only. The camera starts on a click, never before.

interface DetectedBarcode {
  rawValue: string;
}

interface BarcodeDetector {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}

type BarcodeDetectorConstructor = new (options: { formats: string[] }) => BarcodeDetector;

/** How often a frame is looked at: enough for a card held up to the camera, light on a laptop. */
const frameInterval = 150;

function detectorClass(): BarcodeDetectorConstructor | undefined {
  return (globalThis as { BarcodeDetector?: BarcodeDetectorConstructor }).BarcodeDetector;
}

/** Whether this browser can scan: a BarcodeDetector and a camera API (not whether a camera is plugged in). */
export function canScan(): boolean {
  return detectorClass() !== undefined && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/**
 * Shows the camera in `video` and reads QR codes until one is found (its text) or `signal` aborts
 * (undefined). The camera is released either way. Rejects with the DOMException of getUserMedia
 * when the camera is refused or missing.
 */
export async function scanQrCode(video: HTMLVideoElement, signal: AbortSignal): Promise<string | undefined> {
  const detector = new (detectorClass()!)({ formats: ['qr_code'] });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  try {
    video.srcObject = stream;
    await video.play();
    while (!signal.aborted) {
      // A frame the detector cannot read (the video not ready yet) is just skipped.
      const [found] = await detector.detect(video).catch(() => []);
      if (found !== undefined && found.rawValue !== '') return found.rawValue;
      await new Promise((resolve) => setTimeout(resolve, frameInterval));
    }
    return undefined;
  } finally {
    stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  }
}
