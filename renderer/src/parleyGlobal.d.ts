import type { ParleyApi } from '../../main/core/api.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser. */
    parley?: ParleyApi;
  }
}
