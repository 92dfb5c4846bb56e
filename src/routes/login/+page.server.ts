import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { env } from '$env/dynamic/private';
import { authenticate, startSession } from '$lib/server/auth';
import { refusal, signinKeys, signinThrottle } from '$lib/server/signin';
import { signInMessage } from '$lib/realtime/session';
import { isExternalHref, safeHref } from '$lib/url';
import type { Actions, PageServerLoad } from './$types';

/** Where to go after signing in: a path on this site, never another origin. */
function destination(redirectTo: string | null | undefined): string {
	const href = safeHref(redirectTo);
	return href && !isExternalHref(href) ? href : '/';
}

export const load: PageServerLoad = ({ locals, url }) => {
	const redirectTo = destination(url.searchParams.get('redirectTo'));
	if (locals.user) redirect(303, redirectTo);
	return { redirectTo, notice: signInMessage(url.searchParams.get('reason')) };
};

const LoginForm = v.object({
	email: v.pipe(
		v.string('Enter your email address'),
		v.trim(),
		v.nonEmpty('Enter your email address'),
		v.maxLength(254, 'That email address is too long'),
		v.email('Enter a valid email address')
	),
	password: v.pipe(
		v.string('Enter your password'),
		v.nonEmpty('Enter your password'),
		v.maxLength(1024, 'That password is too long')
	),
	redirectTo: v.optional(v.string())
});

export const actions: Actions = {
	/**
	 * Sign in with email and password, then go to `redirectTo` (same-origin only). Failures are
	 * throttled per account and per client address; a throttled attempt is answered 429 with
	 * Retry-After before its password is looked at. Every failure gets the same answer whether or
	 * not the account exists.
	 */
	default: async ({ request, cookies, url, getClientAddress, setHeaders, locals }) => {
		const form = await request.formData().catch(() => new FormData());
		const fields = Object.fromEntries(
			['email', 'password', 'redirectTo'].flatMap((name) => {
				const value = form.get(name);
				return typeof value === 'string' ? [[name, value]] : [];
			})
		);
		const email = (fields.email ?? '').trim().slice(0, 254);
		const parsed = v.safeParse(LoginForm, fields);
		if (!parsed.success) return fail(400, { email, message: parsed.issues[0].message });
		const { db } = locals.store;
		const keys = signinKeys(parsed.output.email, getClientAddress());
		const throttle = signinThrottle(db, env);
		const gate = await throttle.begin(keys);
		if (!gate.allowed) {
			const { retryAfter, message } = refusal(gate.retryAfterMs);
			setHeaders({ 'retry-after': String(retryAfter) });
			return fail(429, { email, message });
		}
		const user = await authenticate(db, parsed.output.email, parsed.output.password);
		if (!user) return fail(400, { email, message: 'Incorrect email or password' });
		await throttle.succeeded(keys);
		await startSession(db, cookies, user.id, url);
		redirect(303, destination(parsed.output.redirectTo));
	}
};
