package loadgen

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Print writes the report as tables.
func (r *Report) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "chain %s, %d load accounts, blocks every %.2f s", r.ChainID, r.Accounts, r.BlockInterval)
	if len(r.Orders) > 0 {
		fmt.Fprintf(w, ", %d orders (commit %d blocks, reveal %d blocks)", len(r.Orders), r.CommitBlocks, r.RevealBlocks)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "transactions\tsent\tconfirmed\tfailed\trejected\tmissing\tblocks\tseconds\ttx/s\tp50 ms\tp95 ms\tp99 ms\t")
	for _, t := range r.Txs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f\t%.1f\t%.0f\t%.0f\t%.0f\t\n", t.Name, t.Sent, t.Confirmed,
			sum(t.Failed), sum(t.Rejected), t.Missing, t.Blocks, t.Seconds, t.TPS, t.Latency.P50, t.Latency.P95, t.Latency.P99)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, t := range r.Txs {
		if len(t.Failed)+len(t.Rejected) > 0 {
			fmt.Fprintf(w, "%s: failed in blocks %s; refused at broadcast %s\n", t.Name, byCode(t.Failed), byCode(t.Rejected))
		}
	}
	if r.CommitPerSend > 0 || r.RevealPerSend > 0 {
		fmt.Fprintf(w, "\nMsgSend baseline (mean of send and send again): %.1f tx/s\n", r.SendBaseline)
		fmt.Fprintf(w, "MsgCommitBid tx/s / MsgSend tx/s: %.2f\nMsgRevealBid tx/s / MsgSend tx/s: %.2f\n", r.CommitPerSend, r.RevealPerSend)
	}
	if len(r.Queries) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(tw, "gRPC query\tclients\teach client\tqueries\terrors\tqueries/s\tp50 ms\tp95 ms\tp99 ms\t")
		for _, q := range r.Queries {
			mode := "closed loop"
			if q.Rate > 0 {
				mode = fmt.Sprintf("%g/s", q.Rate)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t\n", q.Name, q.Clients, mode, q.Queries, sum(q.Errors),
				q.PerSecond, q.Latency.P50, q.Latency.P95, q.Latency.P99)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, q := range r.Queries {
			if len(q.Errors) > 0 {
				fmt.Fprintf(w, "%s errors: %s\n", q.Name, byCode(q.Errors))
			}
		}
	}
	return nil
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func byCode(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
