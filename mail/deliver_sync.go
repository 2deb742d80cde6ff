package mail

import (
	"context"
	"fmt"
)

// deliverer runs delivery beside a fetch: a pass over what waits at the
// start (leftovers of an earlier fetch, so that this session's retention
// may delete them once delivered), another after each committed batch,
// and Sync waits for it before it sends DELE, so that only delivered
// messages are deleted from the server. It runs on a goroutine of its
// own, so a slow MDA holds up neither the connection nor the commits.
type deliverer struct {
	d    *delivery
	ctx  context.Context
	kick chan struct{}      // a batch was committed: deliver again
	wait chan chan struct{} // a pass after this request, then closed
	done chan struct{}
	err  error // read after done
}

// startDelivery starts delivery for y's account, when it delivers
// anywhere (and this is no dry run), and delivers first what an earlier
// fetch left waiting, so that this session's retention may delete their
// server copies.
func (y *syncer) startDelivery() error {
	t := y.acct.DeliveryTarget()
	if t.Kind == DeliverNone || y.opts.DryRun {
		return nil
	}
	q, ok := y.cache.(DeliveryQueue)
	if !ok {
		return fmt.Errorf("account %s delivers to %s, and this cache keeps no marks for delivery", y.acct.Name, t)
	}
	dv := &deliverer{d: newDelivery(y.acct, t, q, y.opts.Deliver), ctx: y.ctx,
		kick: make(chan struct{}, 1), wait: make(chan chan struct{}), done: make(chan struct{})}
	go dv.run()
	y.deliv = dv
	dv.drain()
	return nil
}

func (dv *deliverer) run() {
	defer close(dv.done)
	for {
		var reply chan struct{}
		select {
		case _, ok := <-dv.kick:
			if !ok {
				return
			}
		case reply = <-dv.wait:
		}
		if err := dv.d.pass(dv.ctx); err != nil && dv.err == nil {
			dv.err = err
		}
		if reply != nil {
			close(reply)
		}
	}
}

// committed says a batch was committed; it never blocks.
func (dv *deliverer) committed() {
	if dv == nil {
		return
	}
	select {
	case dv.kick <- struct{}{}:
	default:
	}
}

// drain returns once everything committed before the call has been tried.
func (dv *deliverer) drain() {
	if dv == nil {
		return
	}
	reply := make(chan struct{})
	dv.wait <- reply
	<-reply
}

// stop ends delivery after a last pass and gives its result.
func (dv *deliverer) stop() (DeliverResult, error) {
	dv.drain()
	close(dv.kick)
	<-dv.done
	res := dv.d.res
	n, err := dv.d.q.PendingDeliveryCount(dv.d.acct.ID)
	if dv.err != nil {
		err = dv.err
	}
	res.Waiting = n
	return res, err
}

// finishDelivery ends delivery for Sync and puts its outcome in the result.
func (y *syncer) finishDelivery() {
	if y.deliv == nil {
		return
	}
	res, err := y.deliv.stop()
	y.res.Delivered, y.res.WaitingDelivery = res.Delivered, res.Waiting
	if err != nil && res.Err == nil {
		res.Err = err
	}
	y.res.DeliveryErr = res.Err
	if w, ok := res.Warning(); ok {
		y.warn(w)
	}
}

// deliveredOnly keeps of the numbers to delete those whose messages are
// no longer waiting for delivery (uids[i] is the UID of nums[i]).
func (y *syncer) deliveredOnly(nums []int32, uids []string) ([]int32, error) {
	if y.deliv == nil || len(nums) == 0 {
		return nums, nil
	}
	y.deliv.drain()
	out := nums[:0:0]
	err := y.cache.LookupUIDs(y.acct.ID, uids, func(i int, rec UIDRecord, ok bool) {
		if ok && !rec.PendingDelivery {
			out = append(out, nums[i])
		} else {
			y.held++
		}
	})
	if err != nil {
		return nil, fmt.Errorf("look up %d messages waiting for delivery: %w", len(uids), err)
	}
	return out, nil
}
