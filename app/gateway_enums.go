package app

import (
	gogoproto "github.com/cosmos/gogoproto/proto"
	protov1 "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/runtime/protoimpl"
)

// The REST gateway (grpc-gateway v1, runtime.PopulateQueryParameters) resolves an enum query
// parameter such as ?state=ORDER_STATE_OPEN with golang/protobuf's proto.EnumValueMap, which knows
// only enums registered with golang/protobuf itself and those of files in protoregistry.GlobalFiles.
// The SDK's modules are found through their pulsar code (cosmossdk.io/api) in GlobalFiles; the fog
// modules have only gogoproto code, whose enums and files go to gogoproto's own registry, so the
// gateway parsed their names as integers and answered 400. Giving golang/protobuf the enums that only
// gogoproto knows, from the descriptors gogoproto already holds, makes names work for every such
// module at once, without a second generated copy of the code. It runs at init because this package
// imports every module, so all their files are registered by then, before any server starts.
func init() {
	gogoproto.GogoResolver.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		registerGatewayEnums(fd)
		return true
	})
}

// registerGatewayEnums registers each enum of d, and of the messages nested in d, that golang/protobuf
// cannot resolve, under the name and with the values it would take from GlobalFiles.
func registerGatewayEnums(d interface {
	Enums() protoreflect.EnumDescriptors
	Messages() protoreflect.MessageDescriptors
}) {
	for i := range d.Enums().Len() {
		ed := d.Enums().Get(i)
		name := protoimpl.X.LegacyEnumName(ed)
		if protov1.EnumValueMap(name) != nil {
			continue
		}
		values := make(map[string]int32, ed.Values().Len())
		for j := range ed.Values().Len() {
			v := ed.Values().Get(j)
			values[string(v.Name())] = int32(v.Number())
		}
		protov1.RegisterEnum(name, nil, values)
	}
	for i := range d.Messages().Len() {
		registerGatewayEnums(d.Messages().Get(i))
	}
}
