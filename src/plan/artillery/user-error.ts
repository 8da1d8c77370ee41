/** Why a virtual user stopped: a network error code, a failed capture, a processor error. */
export class ArtilleryUserError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ArtilleryUserError';
  }
}
