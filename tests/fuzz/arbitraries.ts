/**
 * fast-check arbitraries for hostile WebSocket text frames: not JSON, truncated JSON, wrong types,
 * huge and odd numbers, deep nesting, `__proto__`/`constructor`/`prototype` keys, strings with
 * HTML and `javascript:` URLs, and well-formed frames of every type mixed in so the parser and the
 * chart are driven through their real paths too.
 */
import fc from 'fast-check';
import { APPLICATION_STATUSES, NOTIFICATION_CATEGORIES } from '../../src/lib/protocol';

const EVENT_TYPES = ['job:recommendation', 'application:status_change', 'notification:new'];
const CONTROL_TYPES = ['welcome', 'ping', 'pong', 'ack', 'resync', 'error'];

/** Strings an attacker would put in a payload. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
	fc.constantFrom(
		'<img src=x onerror=alert(1)>',
		'<script>alert(document.cookie)</script>',
		'javascript:alert(1)',
		'JaVaScRiPt:alert(1)',
		' javascript:alert(1)',
		'data:text/html,<script>alert(1)</script>',
		'//evil.example/x',
		'/\\evil.example',
		'__proto__',
		'constructor',
		'prototype',
		'\u0000',
		'\ud800',
		'"}]',
		'x'.repeat(70_000)
	),
	fc.string({ unit: 'binary', maxLength: 40 })
);

/** Numbers that break naive code: huge, negative, fractional, unsafe integers, exponent forms. */
export const hostileNumberText: fc.Arbitrary<string> = fc.oneof(
	fc.constantFrom(
		'1e308',
		'1e400',
		'-1e400',
		'-0',
		'0.5',
		'-1',
		'9007199254740993',
		'18446744073709551616',
		'123456789012345678901234567890',
		'1E-400'
	),
	fc.double().map((n) => (Number.isFinite(n) ? String(n) : '0')),
	fc.integer().map(String)
);

/** Any JSON value, as text, including the hostile pieces above. */
const jsonValueText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		hostileNumberText,
		hostileString.map((s) => JSON.stringify(s)),
		fc.constantFrom('null', 'true', 'false', '{}', '[]'),
		fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
		fc
			.array(
				fc.tuple(
					fc.oneof(
						fc.constantFrom('__proto__', 'constructor', 'prototype', 'type', 'data', 'seq', 'id'),
						fc.string({ maxLength: 8 })
					),
					tie('value')
				),
				{ maxLength: 4 }
			)
			.map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`)
	)
})).value;

/** `[[[[...]]]]` or `{"a":{"a":...}}` nested up to 5,000 deep. */
const deepNesting: fc.Arbitrary<string> = fc
	.tuple(fc.integer({ min: 50, max: 5000 }), fc.boolean(), fc.constantFrom(...EVENT_TYPES))
	.map(([depth, arrays, type]) => {
		const inner = arrays
			? '['.repeat(depth) + ']'.repeat(depth)
			: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
		return `{"type":"${type}","id":"deep","seq":1,"ts":1,"data":${inner}}`;
	});

/** A well-formed event frame with hostile strings inside; the seq may be anything. */
const eventFrame: fc.Arbitrary<string> = fc
	.record({
		seq: fc.oneof(fc.integer({ min: 1, max: 50 }), hostileNumberText.map(Number)),
		title: hostileString,
		url: hostileString,
		category: fc.constantFrom(...NOTIFICATION_CATEGORIES),
		status: fc.constantFrom(...APPLICATION_STATUSES),
		kind: fc.constantFrom(...EVENT_TYPES)
	})
	.map(({ seq, title, url, category, status, kind }) => {
		const data =
			kind === 'notification:new'
				? {
						id: 'n1',
						category,
						title,
						description: title,
						timestamp: '2026-01-01T00:00:00Z',
						actionUrl: url,
						actionLabel: title
					}
				: kind === 'job:recommendation'
					? { job: { id: 1, title, company: title, url }, match_score: 95, reason: title }
					: { application_id: 1, old_status: status, new_status: status, job_title: title };
		return JSON.stringify({ type: kind, id: `e${String(seq)}`, seq, ts: 1, data });
	});

/** A control frame: right type, right or wrong fields. */
const controlFrame: fc.Arbitrary<string> = fc
	.tuple(fc.constantFrom(...CONTROL_TYPES), jsonValueText, hostileNumberText, fc.nat(5))
	.map(
		([type, data, n, pick]) =>
			[
				`{"type":"${type}","data":${data}}`,
				`{"type":"${type}"}`,
				`{"type":"welcome","data":{"heartbeatInterval":${n},"lastSeq":${n}}}`,
				`{"type":"resync","data":{"lastSeq":${n}}}`,
				`{"type":"ack","data":{"id":${data}}}`,
				`{"type":"error","data":{"code":"x","message":${JSON.stringify('<b>' + type)}}}`
			][pick]
	);

/** Prototype keys at the top level and inside data. */
const prototypeKeys: fc.Arbitrary<string> = fc
	.tuple(
		fc.constantFrom('__proto__', 'constructor', 'prototype'),
		fc.constantFrom(...EVENT_TYPES, ...CONTROL_TYPES),
		fc.nat(4)
	)
	.map(([key, type, pick]) => {
		const evil = `"${key}":{"polluted":"yes","toString":"x"}`;
		return [
			`{"type":"${type}",${evil},"id":"p","seq":2,"ts":1,"data":{}}`,
			`{"type":"${type}","id":"p","seq":3,"ts":1,"data":{${evil},"job":{"id":1,"title":"t","company":"c",${evil}}}}`,
			`{${evil},"type":"ping"}`,
			`{"type":"welcome","data":{"heartbeatInterval":1000,"lastSeq":0,${evil}}}`,
			`{"type":"notification:new","id":"p","seq":4,"ts":1,"data":{"id":"n","category":"system","title":"t","description":"d","timestamp":"t","metadata":{${evil}}}}`
		][pick];
	});

/** One hostile text frame. */
export const hostileFrame: fc.Arbitrary<string> = fc.oneof(
	fc.string({ maxLength: 60 }),
	fc.string({ unit: 'binary', maxLength: 60 }),
	jsonValueText,
	eventFrame,
	eventFrame.map((text) => text.slice(0, Math.max(1, text.length - 7))),
	controlFrame,
	prototypeKeys,
	deepNesting,
	fc.constantFrom(...EVENT_TYPES, ...CONTROL_TYPES).map((type) => `{"type":"${type}"}`),
	fc
		.string({ maxLength: 20 })
		.map((type) => JSON.stringify({ type, id: 'u', seq: 1, ts: 1, data: {} }))
);
