// A tiny second subgraph for tests/e2e/test_federation.py: it owns users' display names
// and adds a label to budgetql's budgets, so a gateway query joins the two both ways.
//   node profiles.mjs <port>
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Query {
    "A user's profile (any id: this subgraph knows everyone)."
    profile(id: ID!): User
    "A reference to a budget by id: its fields other than id and label come from budgetql."
    budgetRef(id: ID!): Budget
  }

  type User @key(fields: "id") {
    id: ID!
    displayName: String!
  }

  type Budget @key(fields: "id") {
    id: ID!
    label: String!
  }
`);

const displayName = (id) => `Profile of ${id}`;
const label = (id) => `label:${id}`;

const resolvers = {
  Query: {
    profile: (_, { id }) => ({ id }),
    budgetRef: (_, { id }) => ({ id }),
  },
  User: {
    __resolveReference: ({ id }) => ({ id }),
    displayName: ({ id }) => displayName(id),
  },
  Budget: {
    __resolveReference: ({ id }) => ({ id }),
    label: ({ id }) => label(id),
  },
};

const port = Number(process.argv[2]);
const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }) });
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port } });
console.log(`profiles subgraph ready at ${url}`);
