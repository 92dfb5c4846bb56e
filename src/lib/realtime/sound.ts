/**
 * The notification beep: a short sine tone through the Web Audio API, no audio file. One
 * AudioContext is made on first use and reused (browsers cap how many may exist).
 */

let context: AudioContext | null = null;

/** Play a ~0.2 s beep; does nothing where Web Audio is missing. */
export function beep(): void {
	const Context = globalThis.AudioContext;
	if (!Context) return;
	context ??= new Context();
	const ctx = context;
	// A context made before any user gesture starts suspended; resuming is allowed after one.
	if (ctx.state === 'suspended') ctx.resume().catch(() => undefined);
	const oscillator = ctx.createOscillator();
	const gain = ctx.createGain();
	const start = ctx.currentTime;
	oscillator.type = 'sine';
	oscillator.frequency.setValueAtTime(880, start);
	gain.gain.setValueAtTime(0.0001, start);
	gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
	gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
	oscillator.connect(gain).connect(ctx.destination);
	oscillator.start(start);
	oscillator.stop(start + 0.22);
}
