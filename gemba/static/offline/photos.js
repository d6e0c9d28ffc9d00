// Photos are shrunk on the phone before they are queued: a 12-megapixel camera photo
// becomes a JPEG with a long edge of at most 2048 px (what the server keeps anyway), so
// the queue holds a few hundred kilobytes per photo, not several megabytes. Drawing on a
// canvas also drops the EXIF block (GPS position, device) before anything is stored.

export const MAX_EDGE = 2048;
export const QUALITY = 0.85;

export function fitWithin(width, height, maxEdge = MAX_EDGE) {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A camera file as a JPEG Blob no larger than `maxEdge` (MAX_EDGE) on its long edge, upright.
 * Also makes the small copy the face detector is asked about (photo-review.js). */
export async function downscale(file, maxEdge = MAX_EDGE) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  try {
    const { width, height } = fitWithin(bitmap.width, bitmap.height, maxEdge);
    let blob;
    if (typeof OffscreenCanvas === "function") {
      const canvas = new OffscreenCanvas(width, height);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
      blob = await canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
    } else {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
      blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
    }
    return { blob, width, height };
  } finally {
    bitmap.close();
  }
}
