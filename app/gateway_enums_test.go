package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"
	protov1 "github.com/golang/protobuf/proto"
	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/utilities"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	markettypes "github.com/fogchain/fog/x/market/types"
)

// enumQueryParam is an enum field that a GET route fills from the query string.
type enumQueryParam struct {
	method protoreflect.MethodDescriptor
	path   []protoreflect.FieldDescriptor
}

func (p enumQueryParam) key() string {
	names := make([]string, len(p.path))
	for i, f := range p.path {
		names[i] = string(f.Name())
	}
	return strings.Join(names, ".")
}

// The gateway's own query parser takes every enum query parameter of every fog GET route by name and
// by number, and refuses a name the enum does not have. The routes come from the google.api.http
// options compiled into the fog modules, so a new enum filter is covered as soon as it exists.
func TestGatewayParsesFogEnumQueryParameters(t *testing.T) {
	var params []enumQueryParam
	gogoproto.GogoResolver.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), "fog.") {
			return true
		}
		for i := range fd.Services().Len() {
			methods := fd.Services().Get(i).Methods()
			for j := range methods.Len() {
				m := methods.Get(j)
				rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
				if rule.GetGet() != "" {
					params = appendEnumFields(t, params, m, nil, m.Input(), map[protoreflect.FullName]bool{})
				}
			}
		}
		return true
	})

	found := map[string]bool{}
	for _, p := range params {
		found[string(p.method.FullName())+" "+p.key()] = true
	}
	require.Equal(t, map[string]bool{
		"fog.market.v1.Query.Orders state":         true,
		"fog.market.v1.Query.OrdersByState state":  true,
		"fog.market.v1.Query.Leases state":         true,
		"fog.market.v1.Query.ProviderLeases state": true,
		"fog.market.v1.Query.Quote tier":           true,
		"fog.tee.v1.Query.Enclaves tee_type":       true,
		"fog.quorum.v1.Query.Quorums state":        true,
	}, found, "a new enum query parameter belongs in tests/e2e TestRESTEnumQueryParameters too")

	noPathParams := &utilities.DoubleArray{Encoding: map[string]int{}}
	for _, p := range params {
		goType := gogoproto.MessageType(string(p.method.Input().FullName()))
		require.NotNil(t, goType, p.method.Input().FullName())
		enum := resolve(t, p.path[len(p.path)-1].Enum().FullName()).(protoreflect.EnumDescriptor)
		// the parsed request is read back as JSON, where an enum is shown by its name
		parse := func(value string) (string, error) {
			req := reflect.New(goType.Elem()).Interface().(protov1.Message)
			if err := runtime.PopulateQueryParameters(req, url.Values{p.key(): {value}}, noPathParams); err != nil {
				return "", err
			}
			js, err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true}).MarshalToString(req.(gogoproto.Message))
			require.NoError(t, err)
			var v any
			require.NoError(t, json.Unmarshal([]byte(js), &v))
			for _, f := range p.path {
				v = v.(map[string]any)[string(f.Name())]
			}
			if list, ok := v.([]any); ok {
				v = list[0]
			}
			return v.(string), nil
		}
		for i := range enum.Values().Len() {
			ev := enum.Values().Get(i)
			for _, value := range []string{string(ev.Name()), strconv.Itoa(int(ev.Number()))} {
				got, err := parse(value)
				require.NoError(t, err, "%s ?%s=%s", p.method.FullName(), p.key(), value)
				require.Equal(t, string(ev.Name()), got, "%s ?%s=%s", p.method.FullName(), p.key(), value)
			}
		}
		_, err := parse("NOT_" + string(enum.Values().Get(0).Name()))
		require.ErrorContains(t, err, "is not a valid", "%s ?%s", p.method.FullName(), p.key())
	}
}

// appendEnumFields appends the enum fields of md, the message at path, that a dotted query key
// reaches: the gateway follows singular message fields only. seen stops recursive messages.
func appendEnumFields(t *testing.T, params []enumQueryParam, m protoreflect.MethodDescriptor, path []protoreflect.FieldDescriptor, md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) []enumQueryParam {
	if seen[md.FullName()] {
		return params
	}
	seen[md.FullName()] = true
	defer delete(seen, md.FullName())
	for i := range md.Fields().Len() {
		f := md.Fields().Get(i)
		fieldPath := append(append([]protoreflect.FieldDescriptor(nil), path...), f)
		switch {
		case f.Enum() != nil:
			params = append(params, enumQueryParam{method: m, path: fieldPath})
		case f.Message() != nil && !f.IsList() && !f.IsMap():
			params = appendEnumFields(t, params, m, fieldPath, resolve(t, f.Message().FullName()).(protoreflect.MessageDescriptor), seen)
		}
	}
	return params
}

// resolve finds a type by name: a field's type in a descriptor that gogoproto built before the type's
// own file was registered (fog/tee/v1/query.proto sorts before tee.proto) is an empty enum of that name.
func resolve(t *testing.T, name protoreflect.FullName) protoreflect.Descriptor {
	t.Helper()
	d, err := gogoproto.HybridResolver.FindDescriptorByName(name)
	require.NoError(t, err)
	return d
}

// marketQueryRecorder is a market Query client that records the requests the gateway decodes.
type marketQueryRecorder struct {
	markettypes.QueryClient
	ordersByState  *markettypes.QueryOrdersByStateRequest
	providerLeases *markettypes.QueryProviderLeasesRequest
}

func (r *marketQueryRecorder) OrdersByState(_ context.Context, in *markettypes.QueryOrdersByStateRequest, _ ...grpc.CallOption) (*markettypes.QueryOrdersByStateResponse, error) {
	r.ordersByState = in
	return &markettypes.QueryOrdersByStateResponse{}, nil
}

func (r *marketQueryRecorder) ProviderLeases(_ context.Context, in *markettypes.QueryProviderLeasesRequest, _ ...grpc.CallOption) (*markettypes.QueryProviderLeasesResponse, error) {
	r.providerLeases = in
	return &markettypes.QueryProviderLeasesResponse{}, nil
}

// An enum in the path (/orders/state/{state}) is parsed by the generated handler itself, by name or
// number; an enum in the query string of a route with path parameters goes through the same parser
// as the routes above.
func TestGatewayParsesMarketStateRoutes(t *testing.T) {
	rec := &marketQueryRecorder{}
	mux := runtime.NewServeMux()
	require.NoError(t, markettypes.RegisterQueryHandlerClient(context.Background(), mux, rec))
	get := func(path string) int {
		rec.ordersByState, rec.providerLeases = nil, nil
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w.Code
	}

	for _, state := range []string{"ORDER_STATE_MATCHED", "2"} {
		get("/fog/market/v1/orders/state/" + state)
		require.NotNil(t, rec.ordersByState, state)
		require.Equal(t, markettypes.OrderMatched, rec.ordersByState.State, state)
	}
	require.Equal(t, http.StatusBadRequest, get("/fog/market/v1/orders/state/MATCHED"))
	require.Nil(t, rec.ordersByState)

	const provider = "fog1x52jjse8dwrwu8g5qdl0tmfeu9sdxs4etrgj86"
	for _, state := range []string{"LEASE_STATE_ACTIVE", "2"} {
		get("/fog/market/v1/providers/" + provider + "/leases?state=" + state + "&pagination.limit=5")
		require.NotNil(t, rec.providerLeases, state)
		require.Equal(t, provider, rec.providerLeases.Provider)
		require.Equal(t, markettypes.LeaseActive, rec.providerLeases.State, state)
		require.EqualValues(t, 5, rec.providerLeases.Pagination.Limit)
	}
	get("/fog/market/v1/providers/" + provider + "/leases")
	require.Equal(t, markettypes.LeaseStateUnspecified, rec.providerLeases.State, "no state: all the provider's leases")
	require.Equal(t, http.StatusBadRequest, get("/fog/market/v1/providers/"+provider+"/leases?state=ACTIVE"))
}
