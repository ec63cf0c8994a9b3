import { probeAdapter } from '../device';

/** Set by CI (.ci/run): the webgpu suites must run there, so a missing adapter fails instead of skipping. */
export const REQUIRE_WEBGPU_ENV_VAR = 'ALIGNAHEAD_REQUIRE_WEBGPU';

/**
 * Whether this process can run the webgpu tests: null when it can, else the one-line reason they
 * skip (no adapter, packages missing), printed once per test file. Throws where CI requires them.
 */
export async function webgpuSkipReason(): Promise<string | null> {
  try {
    await probeAdapter();
    return null;
  } catch (error) {
    const reason = `webgpu tests skipped: ${(error as Error).message}`;
    if (process.env[REQUIRE_WEBGPU_ENV_VAR] === '1') throw new Error(`${reason} (and ${REQUIRE_WEBGPU_ENV_VAR}=1 requires them)`);
    console.warn(reason);
    return reason;
  }
}
