package ecr

import (
	"context"
	"fmt"
	"strings"

	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
)

// Scanning is the registry's scanning configuration: BASIC or ENHANCED, with its rules.
// ECR scans a repository as the registry's rules say once there are rules, or the registry
// scans with Amazon Inspector (ENHANCED); a repository's own scan-on-push setting applies
// only under BASIC scanning without rules.
type Scanning struct {
	Type  string
	Rules []ScanRule
}

// ScanRule scans the repositories its wildcard filters match, at Frequency (SCAN_ON_PUSH,
// CONTINUOUS_SCAN or MANUAL).
type ScanRule struct {
	Frequency string
	Filters   []string
}

// RegistryScanning reads the registry's scanning configuration.
func (c *Client) RegistryScanning(ctx context.Context) (Scanning, error) {
	out, err := c.api.GetRegistryScanningConfiguration(ctx, &awsecr.GetRegistryScanningConfigurationInput{})
	if err != nil {
		return Scanning{}, fmt.Errorf("read the registry's scanning configuration: %w", err)
	}
	s := Scanning{Type: "BASIC"}
	if cfg := out.ScanningConfiguration; cfg != nil {
		if cfg.ScanType != "" {
			s.Type = string(cfg.ScanType)
		}
		for _, r := range cfg.Rules {
			rule := ScanRule{Frequency: string(r.ScanFrequency)}
			for _, f := range r.RepositoryFilters {
				if f.Filter != nil {
					rule.Filters = append(rule.Filters, *f.Filter)
				}
			}
			s.Rules = append(s.Rules, rule)
		}
	}
	return s, nil
}

// RepositorySettingApplies reports whether a repository's own scan-on-push setting decides
// (BASIC scanning without rules).
func (s Scanning) RepositorySettingApplies() bool { return s.Type == "BASIC" && len(s.Rules) == 0 }

// ScannedOnPush reports whether a rule scans repo on push (or continuously, under ENHANCED).
func (s Scanning) ScannedOnPush(repo string) bool {
	for _, r := range s.Rules {
		if r.Frequency != "SCAN_ON_PUSH" && r.Frequency != "CONTINUOUS_SCAN" {
			continue
		}
		for _, f := range r.Filters {
			if wildcard(f, repo) {
				return true
			}
		}
	}
	return false
}

// wildcard matches s against an ECR repository filter, whose * stands for any characters
// ("/" too).
func wildcard(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}
