package awsclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go/middleware"
)

func TestClockReadsAWSDate(t *testing.T) {
	awsNow := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		date   string // the Date header AWS answers with; "" for none
		status int
		local  time.Time
		want   time.Time
	}{
		"local clock a day ahead":   {date: awsNow.Format(http.TimeFormat), status: 200, local: awsNow.Add(24 * time.Hour), want: awsNow},
		"local clock a day behind":  {date: awsNow.Format(http.TimeFormat), status: 200, local: awsNow.Add(-24 * time.Hour), want: awsNow},
		"an error answer tells too": {date: awsNow.Format(http.TimeFormat), status: 400, local: awsNow.Add(24 * time.Hour), want: awsNow},
		"no Date: the local clock":  {status: 200, local: awsNow.Add(24 * time.Hour), want: awsNow.Add(24 * time.Hour)},
		"bad Date: the local clock": {date: "yesterday", status: 200, local: awsNow.Add(-time.Hour), want: awsNow.Add(-time.Hour)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Date"] = nil // net/http adds its own unless told not to
				if tc.date != "" {
					w.Header().Set("Date", tc.date)
				}
				w.Header().Set("Content-Type", "text/xml")
				w.WriteHeader(tc.status)
				if tc.status != 200 {
					w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>no</Message></Error></ErrorResponse>`))
					return
				}
				w.Write([]byte(`<DescribeStacksResponse><DescribeStacksResult><Stacks></Stacks></DescribeStacksResult></DescribeStacksResponse>`))
			}))
			defer srv.Close()
			local := tc.local
			clock := &Clock{Local: func() time.Time { return local }}
			client := cloudformation.New(cloudformation.Options{
				Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
				Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
				APIOptions:  []func(*middleware.Stack) error{clock.install},
			})
			client.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{})
			if got := clock.Now(); !got.Equal(tc.want) {
				t.Errorf("Clock.Now() = %v, want %v", got, tc.want)
			}
			local = local.Add(90 * time.Second) // time passes on the machine: AWS's clock follows
			if got := clock.Now(); !got.Equal(tc.want.Add(90 * time.Second)) {
				t.Errorf("Clock.Now() 90 s later = %v, want %v", got, tc.want.Add(90*time.Second))
			}
		})
	}
}
