package infra

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary-gw/tributary/config"
)

// A config keeping its state in Redis gets the VPC parameters, the
// functions' VpcConfig and the credential variables; one without gets
// none of them.
func TestGenerateSharedStore(t *testing.T) {
	cfg, err := config.Load("redis.json", []byte(`{"version": 3, "extra_config": {
  "redis": {"connection_pools": [{"name": "state", "address": "my-cache.abc123.use1.cache.amazonaws.com:6379"}]},
  "tributary": {"shared_store": {"tls": true, "username_env": "REDIS_USER", "password_env": "REDIS_PASSWORD"}}},
 "endpoints": [{"endpoint": "/a", "backend": [{"host": ["http://127.0.0.1:1"], "url_pattern": "/"}]}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	root := parseTemplate(t, b)
	scalar(t, "subnets type", get(root, "Parameters", RedisSubnetsParam, "Type"), "!!str", "List<AWS::EC2::Subnet::Id>")
	scalar(t, "groups type", get(root, "Parameters", RedisSecurityGroupsParam, "Type"), "!!str", "List<AWS::EC2::SecurityGroup::Id>")
	scalar(t, "password NoEcho", get(root, "Parameters", RedisPasswordParam, "NoEcho"), "!!str", "true")
	fn := get(root, "Globals", "Function")
	scalar(t, "SubnetIds", get(fn, "VpcConfig", "SubnetIds"), "!Ref", RedisSubnetsParam)
	scalar(t, "SecurityGroupIds", get(fn, "VpcConfig", "SecurityGroupIds"), "!Ref", RedisSecurityGroupsParam)
	scalar(t, "REDIS_PASSWORD", get(fn, "Environment", "Variables", "REDIS_PASSWORD"), "!Ref", RedisPasswordParam)
	scalar(t, "REDIS_USER", get(fn, "Environment", "Variables", "REDIS_USER"), "!Ref", RedisUsernameParam)
	checkReferences(t, root)

	plain, err := Generate(bundled(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := parseTemplate(t, plain); get(r, "Globals", "Function", "VpcConfig") != nil || get(r, "Parameters", RedisSubnetsParam) != nil {
		t.Fatal("a config without a shared store got VPC settings")
	}

	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skipf("cfn-lint is not installed: %v", err)
	}
	f := filepath.Join(t.TempDir(), "redis.yaml")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, lint, f).CombinedOutput(); err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}
