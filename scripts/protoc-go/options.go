package main

import (
	"fmt"
	"math"
	"sort"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// layOutOptionsAsProtoc rewrites the custom options of every element of the files the way protoc 3.21
// encodes them: after the standard options, one entry per option statement, in source order. So
// `option (google.api.http).post = "/x"; option (google.api.http).body = "*";` gives two entries for
// the extension, each holding one field, where protocompile gives one merged entry and sorts the
// options by number. Both mean the same, but protoc-gen-gocosmos embeds the options' bytes in the
// generated code, so only protoc's layout regenerates the committed files byte for byte.
//
// The statements are read back from the source code info: each has a location whose path runs
// through the element's options and then names the option's fields.
func layOutOptionsAsProtoc(files []*descriptorpb.FileDescriptorProto, registry *protoregistry.Files) error {
	types := dynamicpb.NewTypes(registry)
	for _, file := range files {
		statements := map[protoreflect.Message][][]int32{}
		var elements []protoreflect.Message
		for _, loc := range file.GetSourceCodeInfo().GetLocation() {
			opts, path := optionsAt(file.ProtoReflect(), loc.Path)
			if opts == nil || len(path) == 0 || opts.Descriptor().Fields().ByNumber(protowire.Number(path[0])) != nil {
				continue // not an option, or a standard one: protoc keeps those as ordinary fields
			}
			if _, ok := statements[opts]; !ok {
				elements = append(elements, opts)
			}
			statements[opts] = append(statements[opts], path)
		}
		for _, opts := range elements {
			if err := layOut(opts, statements[opts], registry, types); err != nil {
				return fmt.Errorf("%s: options of %s: %w", file.GetName(), opts.Descriptor().Name(), err)
			}
		}
	}
	return nil
}

// optionsAt follows a source code info path from a FileDescriptorProto to the options message it
// passes through, and returns that message and the rest of the path.
func optionsAt(m protoreflect.Message, path []int32) (protoreflect.Message, []int32) {
	for i := 0; i < len(path); i++ {
		fd := m.Descriptor().Fields().ByNumber(protowire.Number(path[i]))
		if fd == nil || fd.Message() == nil || !m.Has(fd) {
			return nil, nil
		}
		if fd.Name() == "options" {
			return m.Get(fd).Message(), path[i+1:]
		}
		if !fd.IsList() {
			m = m.Get(fd).Message()
			continue
		}
		i++
		if i == len(path) || int(path[i]) >= m.Get(fd).List().Len() {
			return nil, nil
		}
		m = m.Get(fd).List().Get(int(path[i])).Message()
	}
	return nil, nil
}

func layOut(opts protoreflect.Message, statements [][]int32, registry *protoregistry.Files, types *dynamicpb.Types) error {
	encoded, err := proto.Marshal(opts.Interface())
	if err != nil {
		return err
	}
	// The values, read with the option types the files declare.
	desc, err := registry.FindDescriptorByName(opts.Descriptor().FullName())
	if err != nil {
		return err
	}
	values := dynamicpb.NewMessage(desc.(protoreflect.MessageDescriptor))
	if err := (proto.UnmarshalOptions{Resolver: types}).Unmarshal(encoded, values); err != nil {
		return err
	}
	var custom []byte
	for _, path := range statements {
		if custom, err = appendStatement(custom, values, path, types); err != nil {
			return err
		}
	}
	// Decoded without the option types, the custom options are unknown fields: replace them.
	standard := opts.New()
	if err := (proto.UnmarshalOptions{Resolver: new(protoregistry.Types)}).Unmarshal(encoded, standard.Interface()); err != nil {
		return err
	}
	standard.SetUnknown(custom)

	check := dynamicpb.NewMessage(values.Descriptor())
	relaid, err := proto.Marshal(standard.Interface())
	if err == nil {
		err = (proto.UnmarshalOptions{Resolver: types}).Unmarshal(relaid, check)
	}
	if err != nil || !proto.Equal(check, values) {
		return fmt.Errorf("cannot lay out the options as protoc does (%v)", err)
	}
	proto.Reset(opts.Interface())
	proto.Merge(opts.Interface(), standard.Interface())
	return nil
}

// appendStatement encodes the value that one option statement set, at path in m, the way protoc
// does: wrapped in one entry for each message on the path.
func appendStatement(b []byte, m protoreflect.Message, path []int32, types *dynamicpb.Types) ([]byte, error) {
	fd := m.Descriptor().Fields().ByNumber(protowire.Number(path[0]))
	if fd == nil {
		xt, err := types.FindExtensionByNumber(m.Descriptor().FullName(), protowire.Number(path[0]))
		if err != nil {
			return nil, err
		}
		fd = xt.TypeDescriptor()
	}
	v, path := m.Get(fd), path[1:]
	if fd.IsMap() {
		return nil, fmt.Errorf("%s: map options are not supported", fd.FullName())
	}
	if fd.IsList() {
		if len(path) == 0 || int(path[0]) >= v.List().Len() {
			return nil, fmt.Errorf("%s: no element for this statement", fd.FullName())
		}
		v, path = v.List().Get(int(path[0])), path[1:]
	}
	if len(path) == 0 {
		return appendField(b, fd, v)
	}
	inner, err := appendStatement(nil, v.Message(), path, types)
	if err != nil {
		return nil, err
	}
	return appendMessageField(b, fd, inner), nil
}

// appendMessage encodes a message as protoc's C++ runtime does: fields by number, unknown fields last.
func appendMessage(b []byte, m protoreflect.Message) ([]byte, error) {
	var fields []protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		fields = append(fields, fd)
		return true
	})
	sort.Slice(fields, func(i, j int) bool { return fields[i].Number() < fields[j].Number() })
	var err error
	for _, fd := range fields {
		switch v := m.Get(fd); {
		case fd.IsMap() || fd.IsPacked():
			return nil, fmt.Errorf("%s: map and packed fields in option values are not supported", fd.FullName())
		case fd.IsList():
			for i := 0; i < v.List().Len() && err == nil; i++ {
				b, err = appendField(b, fd, v.List().Get(i))
			}
		default:
			b, err = appendField(b, fd, v)
		}
		if err != nil {
			return nil, err
		}
	}
	return append(b, m.GetUnknown()...), nil
}

func appendMessageField(b []byte, fd protoreflect.FieldDescriptor, encoded []byte) []byte {
	if fd.Kind() == protoreflect.GroupKind {
		b = protowire.AppendTag(b, fd.Number(), protowire.StartGroupType)
		b = append(b, encoded...)
		return protowire.AppendTag(b, fd.Number(), protowire.EndGroupType)
	}
	b = protowire.AppendTag(b, fd.Number(), protowire.BytesType)
	return protowire.AppendBytes(b, encoded)
}

func appendField(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) ([]byte, error) {
	n := fd.Number()
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		encoded, err := appendMessage(nil, v.Message())
		if err != nil {
			return nil, err
		}
		return appendMessageField(b, fd, encoded), nil
	case protoreflect.StringKind:
		return protowire.AppendString(protowire.AppendTag(b, n, protowire.BytesType), v.String()), nil
	case protoreflect.BytesKind:
		return protowire.AppendBytes(protowire.AppendTag(b, n, protowire.BytesType), v.Bytes()), nil
	case protoreflect.BoolKind:
		return protowire.AppendVarint(protowire.AppendTag(b, n, protowire.VarintType), protowire.EncodeBool(v.Bool())), nil
	case protoreflect.EnumKind:
		return protowire.AppendVarint(protowire.AppendTag(b, n, protowire.VarintType), uint64(v.Enum())), nil
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		return protowire.AppendVarint(protowire.AppendTag(b, n, protowire.VarintType), uint64(v.Int())), nil
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind:
		return protowire.AppendVarint(protowire.AppendTag(b, n, protowire.VarintType), v.Uint()), nil
	case protoreflect.Sint32Kind, protoreflect.Sint64Kind:
		return protowire.AppendVarint(protowire.AppendTag(b, n, protowire.VarintType), protowire.EncodeZigZag(v.Int())), nil
	case protoreflect.Fixed32Kind:
		return protowire.AppendFixed32(protowire.AppendTag(b, n, protowire.Fixed32Type), uint32(v.Uint())), nil
	case protoreflect.Sfixed32Kind:
		return protowire.AppendFixed32(protowire.AppendTag(b, n, protowire.Fixed32Type), uint32(v.Int())), nil
	case protoreflect.FloatKind:
		return protowire.AppendFixed32(protowire.AppendTag(b, n, protowire.Fixed32Type), math.Float32bits(float32(v.Float()))), nil
	case protoreflect.Fixed64Kind:
		return protowire.AppendFixed64(protowire.AppendTag(b, n, protowire.Fixed64Type), v.Uint()), nil
	case protoreflect.Sfixed64Kind:
		return protowire.AppendFixed64(protowire.AppendTag(b, n, protowire.Fixed64Type), uint64(v.Int())), nil
	case protoreflect.DoubleKind:
		return protowire.AppendFixed64(protowire.AppendTag(b, n, protowire.Fixed64Type), math.Float64bits(v.Float())), nil
	}
	return nil, fmt.Errorf("%s: unexpected kind %v", fd.FullName(), fd.Kind())
}
