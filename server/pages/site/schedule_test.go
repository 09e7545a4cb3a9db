package site_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sonla-data/kho/server/pages/site"
)

// TestSchedule: every schedule of the built-in pipelines, and the shapes
// around them, said in words in both languages; what cannot be said is
// returned as written, not guessed.
func TestSchedule(t *testing.T) {
	cases := []struct{ spec, vi, en string }{
		{"0 2 * * *", "hằng ngày lúc 02:00", "daily at 02:00"},
		{"15 0 * * *", "hằng ngày lúc 00:15", "daily at 00:15"},
		{"0 6,18 * * *", "hằng ngày lúc 06:00 và 18:00", "daily at 06:00 and 18:00"},
		{"0 5 * * 1", "thứ Hai hằng tuần lúc 05:00", "weekly on Monday at 05:00"},
		{"30 7 * * 1-5", "từ thứ Hai đến thứ Sáu hằng tuần lúc 07:30", "weekly on Monday to Friday at 07:30"},
		{"0 8 * * 0,6", "Chủ nhật và thứ Bảy hằng tuần lúc 08:00", "weekly on Sunday and Saturday at 08:00"},
		{"@weekly", "Chủ nhật hằng tuần lúc 00:00", "weekly on Sunday at 00:00"},
		{"0 4 5 * *", "ngày 5 hằng tháng lúc 04:00", "monthly on day 5 at 04:00"},
		{"@monthly", "ngày 1 hằng tháng lúc 00:00", "monthly on day 1 at 00:00"},
		{"0 3 1 1,4,7,10 *", "ngày 1 các tháng 1, 4, 7 và 10 lúc 03:00", "on day 1 of January, April, July and October at 03:00"},
		{"@yearly", "ngày 01/01 hằng năm lúc 00:00", "yearly on 1 January at 00:00"},
		{"*/30 * * * *", "30 phút một lần", "every 30 minutes"},
		{"10 * * * *", "hằng giờ vào phút 10", "hourly at minute 10"},
		{"0 */6 * * *", "6 giờ một lần vào phút 0", "every 6 hours at minute 0"},
		{"@every 1h30m", "1 giờ 30 phút một lần", "every 1 hour 30 minutes"},
		{"CRON_TZ=Asia/Ho_Chi_Minh 0 2 * * *", "hằng ngày lúc 02:00", "daily at 02:00"},
		{"", "chạy khi được yêu cầu", "on demand"},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			vi, ok := site.VI.Schedule(c.spec)
			assert.True(t, ok)
			assert.Equal(t, c.vi, vi)
			en, ok := site.EN.Schedule(c.spec)
			assert.True(t, ok)
			assert.Equal(t, c.en, en)
		})
	}
	for _, spec := range []string{"0 2-4 * * *", "0 2 */2 * *", "0 2 1 * 1", "61 2 * * *", "0 2 * *", "@reboot", "@every soon"} {
		got, ok := site.VI.Schedule(spec)
		assert.False(t, ok, spec)
		assert.Equal(t, spec, got, "returned as written")
	}
}
