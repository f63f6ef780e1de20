// A real Apollo gateway composing budgetql with the profiles subgraph (IntrospectAndCompose).
//   BUDGETQL_URL=http://127.0.0.1:8000/graphql PROFILES_URL=... [BUDGETQL_SERVICE_TOKEN=...] node gateway.mjs <port>
//
// Auth: each client request's Authorization header is forwarded to the subgraphs as it is
// (willSendRequest), so budgetql sees the client's own token and applies its rules. The
// gateway's own introspection of the subgraphs (`_service { sdl }`, at start-up) has no
// client: it sends BUDGETQL_SERVICE_TOKEN when set. That token is never used for a client.
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from "@apollo/gateway";

const serviceToken = process.env.BUDGETQL_SERVICE_TOKEN;

class ForwardAuthorization extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    const authorization = context?.authorization;
    if (authorization) {
      request.http.headers.set("authorization", authorization);
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({
    subgraphs: [
      { name: "budgetql", url: process.env.BUDGETQL_URL },
      { name: "profiles", url: process.env.PROFILES_URL },
    ],
    introspectionHeaders: serviceToken ? { authorization: `Bearer ${serviceToken}` } : {},
  }),
  buildService: ({ url }) => new ForwardAuthorization({ url }),
});

const port = Number(process.argv[2]);
const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`gateway ready at ${url}`);
