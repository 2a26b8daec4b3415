import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context.js';

/** Copies the operation name and error codes into the request's log line. */
export const operationRecordPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operationName, operation, contextValue }) {
        contextValue.record.operationName =
          operationName ?? operation?.name?.value ?? `anonymous ${operation?.operation}`;
      },
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const codes = (response.body.singleResult.errors ?? []).map((e) =>
          String(e.extensions?.code ?? 'UNKNOWN'),
        );
        if (codes.length > 0) contextValue.record.errorCodes = codes;
      },
    };
  },
};
