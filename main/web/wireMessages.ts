/** Frames of the browser host's WebSocket: calls up, results and events down. */
import type { ApiCall, ApiEvent } from '../core/apiChannels.ts';

export type ClientFrame = { id: number; call: ApiCall; args: unknown[] };
export type ServerFrame = { re: number; result: unknown } | { event: ApiEvent; payload: unknown };

/** The path of the API socket, and the query parameter naming the browser's profile. */
export const API_PATH = '/api';
export const PROFILE_PARAM = 'profile';
export const PROFILE_PATTERN = /^[A-Za-z0-9-]{8,64}$/;

/** Largest frame either side accepts; a bigger one closes the socket (1009 from ws). */
export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * The browser's download of a shared file: `/files/<sha256>?profile=…&name=…&mime=…`. The name and
 * mime are the server's own, from the file message the window shows; the profile picks the core
 * (its login) that fetches the bytes. None of them is a secret: the session cookie is the guard.
 */
export const FILES_PATH = '/files/';

export function fileHref(file: { sha256: string; name: string; mime: string }, profile: string): string {
  const query = new URLSearchParams({ [PROFILE_PARAM]: profile, name: file.name, mime: file.mime });
  return `${FILES_PATH}${file.sha256}?${query.toString()}`;
}
