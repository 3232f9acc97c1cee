package template

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// globalsSupported lists, by Globals section, the properties the SAM transform merges into
// each resource (aws-sam-translator's Globals rules, which SAM CLI applies before it packages
// anything). Everything else is refused with SAM's reason, before anything changes.
var globalsSupported = map[string][]string{
	"Function": {"Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout",
		"VpcConfig", "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias",
		"AutoPublishAliasAllProperties", "Layers", "DeploymentPreference", "RolePath", "PermissionsBoundary",
		"ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig", "AssumeRolePolicyDocument",
		"EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
		"EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop",
		"SourceKMSKeyArn", "TenancyConfig", "DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig",
		"PublishToLatestPublished", "VersionDeletionPolicy"},
	"Api": {"Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize", "MergeDefinitions",
		"Variables", "EndpointConfiguration", "MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize",
		"Cors", "GatewayResponses", "AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion",
		"Domain", "AlwaysDeploy", "PropagateTags", "SecurityPolicy", "EndpointAccessMode"},
	"HttpApi": {"Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration",
		"DefaultRouteSettings", "Domain", "RouteSettings", "FailOnWarnings", "PropagateTags"},
	"SimpleTable":  {"SSESpecification"},
	"StateMachine": {"PropagateTags"},
	"LayerVersion": {"PublishLambdaVersion"},
	"CapacityProvider": {"VpcConfig", "OperatorRole", "Tags", "InstanceRequirements", "ScalingConfig",
		"KmsKeyArn", "PropagateTags"},
	"WebSocketApi": {"AccessLogSettings", "ApiKeySelectionExpression", "DefaultRouteSettings",
		"DisableExecuteApiEndpoint", "DisableSchemaValidation", "Domain", "FailOnWarnings", "IpAddressType",
		"PropagateTags", "RouteSelectionExpression", "RouteSettings", "StageVariables", "Tags"},
}

// globalsSections is the order SAM lists the sections in.
var globalsSections = []string{"Function", "Api", "HttpApi", "SimpleTable", "StateMachine", "LayerVersion", "CapacityProvider", "WebSocketApi"}

// checkGlobals refuses a Globals section the SAM transform would refuse, with its reason:
// e.g. PackageType or ImageUri under Globals.Function.
func checkGlobals(t *Template) error {
	g := lookup(t.root, "Globals")
	if g == nil || g.Kind != yaml.MappingNode {
		return nil // absent; a non-mapping is refused by Parse
	}
	for i := 0; i+1 < len(g.Content); i += 2 {
		section, props := g.Content[i], g.Content[i+1]
		supported, ok := globalsSupported[section.Value]
		if !ok {
			return fmt.Errorf("%s:%d: 'Globals' section is invalid. '%s' is not supported. Must be one of the following values - %s",
				t.Path, section.Line, section.Value, pyList(globalsSections))
		}
		if props.Kind != yaml.MappingNode {
			return fmt.Errorf("%s:%d: 'Globals' section is invalid. Value of %s must be a dictionary", t.Path, props.Line, section.Value)
		}
		for j := 0; j+1 < len(props.Content); j += 2 {
			key := props.Content[j]
			if !contains(supported, key.Value) {
				return fmt.Errorf("%s:%d: 'Globals' section is invalid. '%s' is not a supported property of '%s'. Must be one of the following values - %s",
					t.Path, key.Line, key.Value, section.Value, pyList(supported))
			}
		}
	}
	return nil
}

// pyList writes names as Python prints a list of strings, as SAM's message does.
func pyList(names []string) string {
	return "['" + strings.Join(names, "', '") + "']"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
