// Makes QbError survive the worker boundary: comlink's default 'throw' handler keeps only name/message/stack.
// Imported for its side effect by every worker entry and by workers/client.ts.
import * as Comlink from 'comlink';
import { QbError, toQbError, type QbErrorData } from '../src/shared/errors';

interface SerializedThrow {
  qb: QbErrorData;
}

const defaultThrow = Comlink.transferHandlers.get('throw')!;

Comlink.transferHandlers.set('throw', {
  canHandle: (value: unknown): value is { value: unknown } => defaultThrow.canHandle(value),
  serialize: (thrown: unknown) => {
    const value = (thrown as { value: unknown }).value;
    const data: SerializedThrow = { qb: toQbError(value).toData() };
    return [data, []];
  },
  deserialize: (data: unknown) => {
    throw QbError.fromData((data as SerializedThrow).qb);
  },
});

export { QbError };
