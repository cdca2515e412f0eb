/**
 * Lets the hosted server's process notice that the app that started it is gone, so a crashed
 * or killed app never leaves a server running with nobody to stop it. Under Node's fork the
 * IPC channel's `disconnect` says so at once; Electron's utilityProcess has no such event on
 * `process.parentPort`, so there the parent's pid (passed as `--parent-pid=N`) is checked.
 */

/** The `--parent-pid=N` argument of the hosted server's process, if any. */
export function parentPidFrom(argv: readonly string[]): number | undefined {
  const arg = argv.find((a) => a.startsWith('--parent-pid='));
  const pid = arg ? Number(arg.slice('--parent-pid='.length)) : NaN;
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (err) {
    // EPERM: a process with that pid exists but is not ours to signal; only ESRCH means gone.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Calls `onGone` once when the parent goes: at the IPC channel's disconnect (Node fork), or when
 * `parentPid` stops existing (checked every `intervalMs`; not `process.ppid`, which under
 * Electron may name a launcher such as Chromium's zygote rather than the app).
 * The timer does not keep the process alive. Returns a function that stops watching.
 */
export function watchParent(options: { parentPid?: number | undefined; intervalMs?: number; onGone: () => void }): () => void {
  let done = false;
  const gone = (): void => {
    if (done) return;
    done = true;
    stop();
    options.onGone();
  };
  if (process.send) process.once('disconnect', gone);
  const pid = options.parentPid;
  const timer = pid === undefined ? undefined : setInterval(() => (alive(pid) ? undefined : gone()), options.intervalMs ?? 1000);
  timer?.unref();
  function stop(): void {
    clearInterval(timer);
    process.off('disconnect', gone);
  }
  return stop;
}
