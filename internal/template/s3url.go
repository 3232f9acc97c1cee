package template

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// s3Fields is how CloudFormation takes an S3 object for one property: the names of its
// bucket, key and (where there is one) version fields.
type s3Fields struct{ bucket, key, version string }

// s3Objects maps the resource types and properties whose S3 location SAM CLI writes as an
// object (its packageable_resources.py, the ResourceWithS3UrlDict kinds) to the object's field
// names; every other packaged property becomes an s3://bucket/key string.
var s3Objects = map[string]s3Fields{
	LambdaFunction + ".Code":                                 {"S3Bucket", "S3Key", "S3ObjectVersion"},
	"AWS::Lambda::LayerVersion.Content":                      {"S3Bucket", "S3Key", "S3ObjectVersion"},
	"AWS::ElasticBeanstalk::ApplicationVersion.SourceBundle": {"S3Bucket", "S3Key", ""},
	"AWS::ApiGateway::RestApi.BodyS3Location":                {"Bucket", "Key", "Version"},
	"AWS::ApiGatewayV2::Api.BodyS3Location":                  {"Bucket", "Key", "Version"},
	"AWS::StepFunctions::StateMachine.DefinitionS3Location":  {"Bucket", "Key", "Version"},
	"AWS::Serverless::StateMachine.DefinitionUri":            {"Bucket", "Key", "Version"},
}

// text is the object in flow style: {"S3Bucket": "b", "S3Key": "k"}, with the version when
// one is given and the property has a field for it.
func (o s3Fields) text(bucket, key, version string) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	t := fmt.Sprintf(`{%s: %s, %s: %s`, q(o.bucket), q(bucket), q(o.key), q(key))
	if version != "" && o.version != "" {
		t += fmt.Sprintf(`, %s: %s`, q(o.version), q(version))
	}
	return t + "}"
}

// parseS3URL splits s3://bucket/key[?versionId=v] as SAM CLI's S3Uploader.parse_s3_url does:
// a bucket and a key are required; a version is taken when the query has exactly one versionId.
func parseS3URL(s string) (bucket, key, version string, ok bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" {
		return "", "", "", false
	}
	bucket, key = u.Host, strings.TrimPrefix(u.Path, "/")
	if bucket == "" || key == "" {
		return "", "", "", false
	}
	if v := u.Query()["versionId"]; len(v) == 1 {
		version = v[0]
	}
	return bucket, key, version, true
}

// S3URLEdits returns the edits that turn the s3:// strings of the properties SAM CLI writes as
// objects into those objects, as `sam package` does (CloudFormation refuses the string there).
// An s3:// value without a bucket and a key is an error, as in SAM CLI.
func (t *Template) S3URLEdits() ([]Edit, error) {
	var edits []Edit
	for _, e := range t.written() { // loop bodies are SAM's to write as they are
		logical, r := e.logical, e.res
		typ := lookup(r, "Type").Value
		props := lookup(r, "Properties")
		for _, prop := range packageable[typ] {
			obj, ok := s3Objects[typ+"."+prop]
			v := lookupPath(props, prop)
			if !ok || v == nil || v.Kind != yaml.ScalarNode || v.Tag != "!!str" || !strings.HasPrefix(v.Value, "s3://") {
				continue
			}
			bucket, key, version, ok := parseS3URL(v.Value)
			if !ok {
				return nil, fmt.Errorf("%s:%d: %s of %s is %s, which is not an S3 URL of an object (s3://bucket/key)", t.Path, v.Line, prop, logical, v.Value)
			}
			edits = append(edits, Edit{tpl: t, node: v, text: obj.text(bucket, key, version), what: prop + " of " + logical})
		}
	}
	return edits, nil
}
