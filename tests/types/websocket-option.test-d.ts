/**
 * The `WebSocket` option takes Node's `ws` constructor as it is: default or named import, or a
 * subclass of it, with no cast. Run by `npx vitest run` (typecheck).
 */
import WebSocket, { WebSocket as NamedWebSocket } from 'ws';
import { describe, expectTypeOf, it } from 'vitest';
import { createRealtimeClient } from '../../machines/client';
import type { WebSocketConstructor } from '../../machines/options';

class TaggedWebSocket extends NamedWebSocket {
	constructor(url: string | URL) {
		super(url, { headers: { 'x-tag': 'test' } });
	}
}

describe('the WebSocket option', () => {
	it('accepts the ws constructor and its subclasses without a cast', () => {
		expectTypeOf(WebSocket).toExtend<WebSocketConstructor>();
		expectTypeOf(NamedWebSocket).toExtend<WebSocketConstructor>();
		expectTypeOf(TaggedWebSocket).toExtend<WebSocketConstructor>();
		expectTypeOf(createRealtimeClient).toBeCallableWith({ url: 'ws://127.0.0.1:9/ws', WebSocket });
	});

	it('still refuses what is not a WebSocket constructor', () => {
		expectTypeOf<typeof Map>().not.toExtend<WebSocketConstructor>();
		expectTypeOf<
			new (url: string) => { send(data: string): void }
		>().not.toExtend<WebSocketConstructor>();
	});
});
