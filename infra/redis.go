package infra

import "go.yaml.in/yaml/v3"

// Parameters a template gets when its config keeps the gateway's state in
// Redis (tributary.shared_store): the functions then run in the VPC of
// the Redis server (an ElastiCache cluster, typically), and the AUTH/ACL
// credentials reach them as environment variables set from NoEcho
// parameters.
const (
	// RedisSubnetsParam lists the subnets the functions run in.
	RedisSubnetsParam = "RedisSubnetIds"
	// RedisSecurityGroupsParam lists the security groups of the
	// functions; Redis must accept connections from them.
	RedisSecurityGroupsParam = "RedisSecurityGroupIds"
	// RedisUsernameParam and RedisPasswordParam carry the credentials,
	// when the config names environment variables for them.
	RedisUsernameParam = "RedisUsername"
	RedisPasswordParam = "RedisPassword"
)

// sharedStore reports whether the config keeps its state in Redis.
func (g *generator) sharedStore() bool {
	return g.cfg.Redis != nil && g.cfg.Redis.Shared != nil
}

// redisParams are the template parameters of the shared store.
func (g *generator) redisParams() []pair {
	if !g.sharedStore() {
		return nil
	}
	s := g.cfg.Redis.Shared
	params := []pair{
		{RedisSubnetsParam, flow(pair{"Type", plain("List<AWS::EC2::Subnet::Id>")},
			pair{"Description", quoted("subnets the functions run in; they must reach Redis (private subnets of its VPC)")})},
		{RedisSecurityGroupsParam, flow(pair{"Type", plain("List<AWS::EC2::SecurityGroup::Id>")},
			pair{"Description", quoted("security groups of the functions; Redis must accept connections from them")})},
	}
	if s.UsernameEnv != "" {
		params = append(params, pair{RedisUsernameParam, flow(pair{"Type", plain("String")}, pair{"NoEcho", plain("true")},
			pair{"Description", quoted("Redis ACL user, set as " + s.UsernameEnv)})})
	}
	if s.PasswordEnv != "" {
		params = append(params, pair{RedisPasswordParam, flow(pair{"Type", plain("String")}, pair{"NoEcho", plain("true")},
			pair{"Description", quoted("Redis password or ACL secret, set as " + s.PasswordEnv)})})
	}
	return params
}

// redisVPC is the functions' VpcConfig; nil without a shared store.
func (g *generator) redisVPC() *yaml.Node {
	if !g.sharedStore() {
		return nil
	}
	return flow(pair{"SubnetIds", ref(RedisSubnetsParam)}, pair{"SecurityGroupIds", ref(RedisSecurityGroupsParam)})
}

// redisEnv are the credential variables of the functions.
func (g *generator) redisEnv() []pair {
	if !g.sharedStore() {
		return nil
	}
	s := g.cfg.Redis.Shared
	var vars []pair
	if s.UsernameEnv != "" {
		vars = append(vars, pair{s.UsernameEnv, ref(RedisUsernameParam)})
	}
	if s.PasswordEnv != "" {
		vars = append(vars, pair{s.PasswordEnv, ref(RedisPasswordParam)})
	}
	return vars
}
