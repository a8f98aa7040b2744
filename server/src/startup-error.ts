/** An error the operator fixes by changing configuration or files: reported as one line, without a stack. */
export class StartupError extends Error {
  override name = 'StartupError';
}
