import { Query, Resolver } from 'type-graphql';
import { Public } from '../../graphql/access.js';

@Resolver()
export class HealthResolver {
  @Public()
  @Query(() => Boolean, {
    description: 'Always true: the GraphQL layer is up. For readiness of the data stores use GET /readyz.',
  })
  health(): boolean {
    return true;
  }
}
