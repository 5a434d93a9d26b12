// Plays an MJPEG stream (multipart/x-mixed-replace) read with fetch, for when the stream needs a header that an <img>
// cannot send (a bearer token; an <img src="...?access_token=..."> would put the token into the page). Each JPEG part
// is shown in the <img> as a blob: URL; while one frame is being decoded, only the newest that arrives is kept.

import { authorizedFetch } from './util.js';

const retryMilliseconds = 2000;

/**
 * Shows the stream at `url` in `img` until the page goes away; `report(message)` is told when it cannot be read
 * (and `report('')` once frames arrive again). Retries after the stream ends or fails, except when refused (401, 403).
 */
export function playMjpeg(img, url, report) {
  let decoding = false;
  let waiting = null;
  let current = null;

  function show(frame) {
    if (decoding) {
      waiting = frame;
      return;
    }
    decoding = true;
    const previous = current;
    current = URL.createObjectURL(new Blob([frame], { type: 'image/jpeg' }));
    img.src = current;
    if (previous) URL.revokeObjectURL(previous);
  }

  const next = () => {
    decoding = false;
    if (waiting) {
      const frame = waiting;
      waiting = null;
      show(frame);
    }
  };
  img.addEventListener('load', next);
  img.addEventListener('error', next);

  async function read() {
    const response = await authorizedFetch(url, { cache: 'no-store' });
    if (!response.ok || !response.body) {
      const refused = response.status === 401 || response.status === 403;
      report(`The stream could not be read (the server answered ${response.status}${refused ? ': sign in with a token that may read it' : ''}).`);
      return !refused;
    }

    const boundary = /boundary="?([^";\s]+)"?/i.exec(response.headers.get('Content-Type') || '')?.[1] || 'frame';
    const parts = new MultipartReader(boundary);
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      for (const frame of parts.push(value)) {
        report('');
        show(frame);
      }
    }
  }

  (async () => {
    for (;;) {
      let again;
      try {
        again = await read();
      } catch (error) {
        report(`The stream was interrupted (${error.message}); trying again.`);
        again = true;
      }
      if (!again) return;
      await new Promise(resolve => setTimeout(resolve, retryMilliseconds));
    }
  })();
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Splits a multipart body into its parts' contents as bytes arrive. Each part ends after its Content-Length bytes
 * (LabThings streams send it) or, without one, at the next boundary line.
 */
class MultipartReader {
  constructor(boundary) {
    this.delimiter = encoder.encode(`--${boundary}`);
    this.buffer = new Uint8Array(0);
  }

  /** Adds `chunk` and returns the parts it completes. */
  push(chunk) {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;

    const parts = [];
    for (;;) {
      const part = this.take();
      if (!part) break;
      parts.push(part);
    }
    return parts;
  }

  take() {
    const buffer = this.buffer;
    const start = indexOf(buffer, this.delimiter, 0);
    if (start < 0) return null;
    const headersEnd = indexOf(buffer, encoder.encode('\r\n\r\n'), start);
    if (headersEnd < 0) return null;
    const headers = decoder.decode(buffer.subarray(start + this.delimiter.length, headersEnd));
    const bodyStart = headersEnd + 4;
    const length = /content-length:\s*(\d+)/i.exec(headers);
    let bodyEnd;
    if (length) {
      bodyEnd = bodyStart + Number(length[1]);
      if (buffer.length < bodyEnd) return null;
    } else {
      bodyEnd = indexOf(buffer, encoder.encode(`\r\n--`), bodyStart);
      if (bodyEnd < 0) return null;
    }
    const part = buffer.slice(bodyStart, bodyEnd);
    this.buffer = buffer.slice(bodyEnd);
    return part;
  }
}

function indexOf(haystack, needle, from) {
  const first = needle[0];
  for (let i = haystack.indexOf(first, from); i >= 0 && i <= haystack.length - needle.length; i = haystack.indexOf(first, i + 1)) {
    let match = true;
    for (let j = 1; j < needle.length; j += 1) {
      if (haystack[i + j] !== needle[j]) {
        match = false;
        break;
      }
    }
    if (match) return i;
  }
  return -1;
}
