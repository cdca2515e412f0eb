/** A failed request or connection, with a stable code (and the certificate's fingerprints where they matter). */
import type { ProtocolError } from '../../server/protocol/index.ts';

export interface RequestErrorDetails extends Partial<ProtocolError> {
  /** The certificate the server presented (`cert_untrusted`, `cert_changed`). */
  fingerprint?: string;
  /** The fingerprint pinned for that host:port (`cert_changed`). */
  pinnedFingerprint?: string;
}

export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: RequestErrorDetails = {},
  ) {
    super(message);
  }
}
