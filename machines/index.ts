/**
 * statechart-websocket: a reconnecting WebSocket client whose whole life is one XState statechart.
 *
 * - `createRealtimeClient(options)`: the facade (connect, disconnect, subscribe, send, status).
 * - `connectionMachine`: the chart itself, for `createActor`, `.provide()`, xstate/graph and the
 *   Stately visualizer; `provideIO`, `connectionIO` and `connectionInput` bind it to options.
 * - `statusOf` / `statusDetailOf`: the status of any snapshot, for stores.
 * - The wire protocol (frame types and checks, close codes) from `./protocol`.
 *
 * Sharing one connection between tabs is `statechart-websocket/tabs` (share-tabs.ts), so that an
 * app that does not share does not ship it.
 */
export {
	createRealtimeClient,
	type ClientRuntime,
	type EventHandler,
	type RealtimeClient,
	type SendResult,
	type Unsubscribe
} from './client';
export {
	connectionInput,
	connectionIO,
	connectionMachine,
	provideIO,
	type ClientEvent,
	type ConnectionConfig,
	type ConnectionContext,
	type ConnectionEmitted,
	type ConnectionEvent,
	type ConnectionInput,
	type ConnectionIO,
	type Welcome,
	type ConnectionMachine,
	type TabGroup,
	type TabsContext,
	type FailureReason,
	type HeartbeatCheckEvent,
	type RetryCause
} from './connection';
export {
	DEFAULT_OPTIONS,
	MAX_DELAY,
	resolveOptions,
	type ConnectionOptions,
	type Logger,
	type ResolvedOptions,
	type TabSharing,
	type WebSocketConstructor,
	type WebSocketLike
} from './options';
export {
	reasonOf,
	roleOf,
	statusDetailOf,
	statusOf,
	topState,
	type ConnectionSnapshot,
	type ConnectionStatus,
	type StatusDetail,
	type StatusReason,
	type TabRole
} from './status';
export { backoffDelay, baseDelay, RATE_LIMIT_FLOOR, type BackoffConfig } from './backoff';
export {
	OVERFLOW_POLICIES,
	type OverflowPolicy,
	type QueuedMessage,
	type SendOutcome,
	type SendPlan
} from './queue';
export { browserStorage, memoryStorage, type StorageAdapter } from './storage';
export { FRAME_DROP_REASONS, type FrameDropReason, type FrameEvent } from './frames';
export { socketActor, type SocketCommand, type SocketEvent, type SocketInput } from './socket';
export { environmentActor, type EnvironmentEvent } from './environment';
export * from './protocol';
