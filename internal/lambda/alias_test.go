package lambda_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/lambda"
)

func TestPublishAlias(t *testing.T) {
	done := []types.LastUpdateStatus{successful}
	tests := []struct {
		name string
		fn   codeFake
		// change, when set, changes $LATEST between SetImage and PublishAlias.
		change      func(*codeFake)
		want        string
		wantErr     error
		wantAliases map[string]string
		wantCalls   []string
	}{
		{name: "alias updated", fn: codeFake{statuses: done, versions: []string{"old"}, aliases: map[string]string{"live": "1"}},
			want: "2", wantAliases: map[string]string{"live": "2"},
			wantCalls: []string{"PublishVersion abc rev2", "UpdateAlias live 2"}},
		{name: "alias created", fn: codeFake{statuses: done},
			want: "1", wantAliases: map[string]string{"live": "1"},
			wantCalls: []string{"PublishVersion abc rev2", "UpdateAlias live 1", "CreateAlias live 1"}},
		{name: "alias created meanwhile by someone else", fn: codeFake{statuses: done, versions: []string{"old"}, createRace: true},
			want: "2", wantAliases: map[string]string{"live": "2"},
			wantCalls: []string{"PublishVersion abc rev2", "UpdateAlias live 2", "CreateAlias live 2", "UpdateAlias live 2"}},
		{name: "$LATEST changed since: refused, not published", fn: codeFake{statuses: done, versions: []string{"old"}, aliases: map[string]string{"live": "1"}},
			change:  func(f *codeFake) { f.revision++ },
			wantErr: lambda.ErrChanged, wantAliases: map[string]string{"live": "1"},
			wantCalls: []string{"PublishVersion abc rev2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.fn.client()
			u, err := c.SetImage(context.Background(), "fn", image)
			if err != nil {
				t.Fatal(err)
			}
			if tt.change != nil {
				tt.change(&tt.fn)
			}
			tt.fn.calls = nil
			got, err := c.PublishAlias(context.Background(), "fn", "live", u)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("PublishAlias() = %q, %v, want error %v", got, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("PublishAlias() = %q, want %q", got, tt.want)
			}
			if diff := cmp.Diff(tt.wantAliases, tt.fn.aliases); diff != "" {
				t.Errorf("aliases (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls, tt.fn.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}
