package lambda_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/lambda"
)

// fake is one function: $LATEST's image and the published versions' images, aliases by
// name to "version[,weighted version]", pages of one entry to exercise paging.
type fake struct {
	lambda.API // the methods that set code: not called by these tests
	latest     string
	versions   []string
	aliases    map[string]string
	calls      []string
	missing    bool
	// late is a version the alias names that ListVersionsByFunction did not list.
	late string
}

func (f *fake) GetFunction(_ context.Context, in *awslambda.GetFunctionInput, _ ...func(*awslambda.Options)) (*awslambda.GetFunctionOutput, error) {
	q := aws.ToString(in.Qualifier)
	f.calls = append(f.calls, "GetFunction "+q)
	if f.missing {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Function not found")}
	}
	img := f.latest
	if q != "" {
		n, _ := strconv.Atoi(q)
		switch {
		case q == f.late:
			img = "late"
		case n < 1 || n > len(f.versions):
			return nil, errors.New("no such version " + q)
		default:
			img = f.versions[n-1]
		}
	}
	return &awslambda.GetFunctionOutput{Code: &types.FunctionCodeLocation{ResolvedImageUri: aws.String("r/repo@" + img)},
		Configuration: &types.FunctionConfiguration{RevisionId: aws.String("rev-" + f.latest)}}, nil
}

func (f *fake) ListVersionsByFunction(_ context.Context, in *awslambda.ListVersionsByFunctionInput, _ ...func(*awslambda.Options)) (*awslambda.ListVersionsByFunctionOutput, error) {
	f.calls = append(f.calls, "ListVersionsByFunction")
	all := append([]string{"$LATEST"}, func() (v []string) {
		for i := range f.versions {
			v = append(v, strconv.Itoa(i+1))
		}
		return v
	}()...)
	i, _ := strconv.Atoi(aws.ToString(in.Marker))
	out := &awslambda.ListVersionsByFunctionOutput{Versions: []types.FunctionConfiguration{{Version: aws.String(all[i])}}}
	if i+1 < len(all) {
		out.NextMarker = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

func (f *fake) ListAliases(_ context.Context, in *awslambda.ListAliasesInput, _ ...func(*awslambda.Options)) (*awslambda.ListAliasesOutput, error) {
	f.calls = append(f.calls, "ListAliases")
	out := &awslambda.ListAliasesOutput{}
	for name, to := range f.aliases {
		v, weighted, _ := strings.Cut(to, ",")
		a := types.AliasConfiguration{Name: aws.String(name), FunctionVersion: aws.String(v)}
		if weighted != "" {
			a.RoutingConfig = &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{weighted: 0.1}}
		}
		out.Aliases = append(out.Aliases, a)
	}
	return out, nil
}

func TestImages(t *testing.T) {
	tests := []struct {
		name string
		fn   fake
		want []string // qualifier=image or qualifier->versions
	}{
		{name: "no versions", fn: fake{latest: "d1"}, want: []string{"$LATEST=r/repo@d1"}},
		{name: "versions on every page", fn: fake{latest: "d3", versions: []string{"d1", "d2", "d3"}},
			want: []string{"$LATEST=r/repo@d3", "1=r/repo@d1", "2=r/repo@d2", "3=r/repo@d3"}},
		{name: "alias with weighted routing", fn: fake{latest: "d2", versions: []string{"d1", "d2"}, aliases: map[string]string{"live": "2,1"}},
			want: []string{"$LATEST=r/repo@d2", "1=r/repo@d1", "2=r/repo@d2", "live->2,1"}},
		{name: "alias to a version published after the listing", fn: fake{latest: "d1", versions: []string{"d1"}, late: "2", aliases: map[string]string{"live": "2"}},
			want: []string{"$LATEST=r/repo@d1", "1=r/repo@d1", "2=r/repo@late", "live->2"}},
		{name: "alias to $LATEST", fn: fake{latest: "d1", aliases: map[string]string{"dev": "$LATEST"}},
			want: []string{"$LATEST=r/repo@d1", "dev->$LATEST"}},
		{name: "function gone", fn: fake{missing: true}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn, err := lambda.New(&tt.fn).Images(context.Background(), "f")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if fn != nil {
				for _, u := range fn.Uses {
					if u.Image != "" {
						got = append(got, u.Qualifier+"="+u.Image)
					} else {
						got = append(got, u.Qualifier+"->"+strings.Join(u.Versions, ","))
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("uses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLatest(t *testing.T) {
	f := &fake{latest: "d1", versions: []string{"d1"}}
	c := lambda.New(f)
	u, rev, err := c.Latest(context.Background(), "f")
	if err != nil || u.Image != "r/repo@d1" || rev == "" {
		t.Fatalf("Latest = %+v %q %v", u, rev, err)
	}
	if fmt.Sprint(f.calls) != "[GetFunction ]" {
		t.Errorf("calls = %v, want one GetFunction", f.calls)
	}
	f.latest = "d2"
	if _, rev2, _ := c.Latest(context.Background(), "f"); rev2 == rev {
		t.Error("the revision did not change with the code")
	}
}
