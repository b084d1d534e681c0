package diff

import (
	"strconv"

	"github.com/liveview-go/liveview/internal/protocol"
)

// appendKey appends the member name of slot or entry i, followed by a colon.
func appendKey(dst []byte, i int) []byte {
	dst = append(dst, '"')
	dst = strconv.AppendInt(dst, int64(i), 10)
	return append(dst, '"', ':')
}

// appendStatics appends the "s" member holding parts.
func appendStatics(dst []byte, parts []string) []byte {
	dst = append(dst, `"s":[`...)
	for i, p := range parts {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = protocol.AppendJSONString(dst, p)
	}
	return append(dst, ']')
}
