package testenv

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"
)

func TestLambdaUpdateTimeEnv(t *testing.T) {
	for _, c := range []struct {
		name string
		d    time.Duration
		want []string
	}{
		{"AWS-like", AWSLikeLambdaUpdate, []string{"SAMSHIP_LAMBDA_UPDATE_SECONDS=3"}},
		{"fraction", 1500 * time.Millisecond, []string{"SAMSHIP_LAMBDA_UPDATE_SECONDS=1.5"}},
		{"zero", 0, []string{"SAMSHIP_LAMBDA_UPDATE_SECONDS=0"}},
		{"negative is zero", -time.Second, []string{"SAMSHIP_LAMBDA_UPDATE_SECONDS=0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var o motoOptions
			LambdaUpdateTime(c.d)(&o)
			if diff := cmp.Diff(c.want, o.env); diff != "" {
				t.Errorf("LambdaUpdateTime(%v) env (-want +got):\n%s", c.d, diff)
			}
		})
	}
}

// TestLambdaUpdateTime: a moto started with LambdaUpdateTime reports an UpdateFunctionCode
// InProgress for that long, refuses another meanwhile, then reports it Successful.
func TestLambdaUpdateTime(t *testing.T) {
	Needs(t, "the local AWS")
	const took = 1500 * time.Millisecond
	m, err := StartMoto(LambdaUpdateTime(took))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	ctx := context.Background()
	cfg, err := m.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lm := lambda.NewFromConfig(cfg)
	role := "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: update-role\n      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}\n"
	if _, err := cloudformation.NewFromConfig(cfg).CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("update-role"), TemplateBody: aws.String(role)}); err != nil {
		t.Fatal(err)
	}
	uri := "123456789012.dkr.ecr.us-east-1.amazonaws.com/update/fn:"
	if _, err := lm.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("update-fn"), PackageType: lambdatypes.PackageTypeImage,
		Code: &lambdatypes.FunctionCode{ImageUri: aws.String(uri + "v1")}, Role: aws.String("arn:aws:iam::123456789012:role/update-role")}); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	out, err := lm.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("update-fn"), ImageUri: aws.String(uri + "v2")})
	if err != nil {
		t.Fatal(err)
	}
	if out.LastUpdateStatus != lambdatypes.LastUpdateStatusInProgress {
		t.Errorf("UpdateFunctionCode: LastUpdateStatus = %s, want InProgress", out.LastUpdateStatus)
	}
	_, err = lm.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("update-fn"), ImageUri: aws.String(uri + "v3")})
	var conflict *lambdatypes.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("UpdateFunctionCode during the update: err = %v, want ResourceConflictException", err)
	}
	for {
		conf, err := lm.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("update-fn")})
		if err != nil {
			t.Fatal(err)
		}
		if conf.State != lambdatypes.StateActive {
			t.Errorf("State = %s during the update, want Active", conf.State)
		}
		if conf.LastUpdateStatus != lambdatypes.LastUpdateStatusInProgress {
			if conf.LastUpdateStatus != lambdatypes.LastUpdateStatusSuccessful {
				t.Errorf("LastUpdateStatus = %s, want Successful after InProgress", conf.LastUpdateStatus)
			}
			break
		}
		if time.Since(began) > 10*took {
			t.Fatalf("still InProgress after %v, want Successful after %v", time.Since(began), took)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := time.Since(began); d < took {
		t.Errorf("Successful after %v, want InProgress for %v", d, took)
	}
}
