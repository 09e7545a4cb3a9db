package opendata

import "testing"

// TestDeclared: a dataset's frequency is what its schema declares, in the
// EU vocabulary DCAT-AP uses.
func TestDeclared(t *testing.T) {
	cases := map[string]Frequency{"quarterly": Quarterly, "semiannual": Semiannual, "daily": Daily, "": Irregular, "soon": Irregular}
	for in, want := range cases {
		if got := Declared(in); got != want {
			t.Errorf("Declared(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Declared("quarterly").URI(); got != "http://publications.europa.eu/resource/authority/frequency/QUARTERLY" {
		t.Errorf("URI = %s", got)
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
