package opendata

import "testing"

func TestFromCron(t *testing.T) {
	cases := []struct {
		name, spec string
		want       Frequency
	}{
		{"empty", "", Irregular},
		{"nightly", "0 2 * * *", Daily},
		{"every 30 minutes", "*/30 * * * *", Continuous},
		{"hourly", "15 * * * *", Hourly},
		{"weekly on monday", "0 3 * * 1", Weekly},
		{"monthly", "0 4 1 * *", Monthly},
		{"quarterly", "0 4 1 1,4,7,10 *", Quarterly},
		{"yearly", "0 0 1 1 *", Annual},
		{"macro", "@daily", Daily},
		{"with a time zone", "CRON_TZ=Asia/Ho_Chi_Minh 0 2 * * *", Daily},
		{"garbage", "soon", Irregular},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FromCron(c.spec); got != c.want {
				t.Errorf("FromCron(%q) = %s, want %s", c.spec, got, c.want)
			}
		})
	}
	if got := mostFrequent([]string{"0 4 1 * *", "0 2 * * *", ""}); got != Daily {
		t.Errorf("mostFrequent = %s, want DAILY", got)
	}
}

func TestSlugAndFold(t *testing.T) {
	cases := map[string]string{
		"Sở Y tế":                       "so-y-te",
		"Sở Nông nghiệp và Môi trường":  "so-nong-nghiep-va-moi-truong",
		"Văn phòng UBND tỉnh":           "van-phong-ubnd-tinh",
		"Đài Phát thanh – Truyền hình!": "dai-phat-thanh-truyen-hinh",
	}
	for in, want := range cases {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	d := &Dataset{Title: "Cơ sở khám chữa bệnh", Publisher: Org{Name: "Sở Y tế"}}
	for q, want := range map[string]bool{"y te": true, "Y TẾ": true, "kham chua": true, "kham benh": false, "kham rang": false, "benh vien": false, "cơ sở": true, "quy": false, "khám chữa": true, "": true, "giáo dục": false} {
		if got := d.Matches(q); got != want {
			t.Errorf("Matches(%q) = %v, want %v", q, got, want)
		}
	}
}
