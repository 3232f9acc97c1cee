package template

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// checkAliases refuses YAML aliases (*name) and merge keys (<<), which CloudFormation does not
// support ("Aliases", "Hash merges": AWS CloudFormation template formats). SAM CLI's parser
// (PyYAML's SafeLoader) expands them before it writes the template it deploys; samship edits
// the template's own bytes and deploys what it read, so an alias would reach CloudFormation
// unexpanded, and what samship read (an ImageUri naming a local image, say) would not be what
// was deployed. They are refused, naming the line, before anything changes. An anchor alone
// (&name, nothing refers to it) changes no value and stays.
func checkAliases(name string, n *yaml.Node) error {
	switch n.Kind {
	case yaml.AliasNode:
		return fmt.Errorf("%s:%d: YAML alias *%s: CloudFormation does not support aliases; write the value out in full", name, n.Line, n.Value)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				return fmt.Errorf("%s:%d: YAML merge key <<: CloudFormation does not support merge keys; write the keys out in full", name, k.Line)
			}
		}
	}
	for _, c := range n.Content {
		if err := checkAliases(name, c); err != nil {
			return err
		}
	}
	return nil
}
