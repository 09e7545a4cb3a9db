package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sonla-data/kho/schemas"
)

// schemaYAML is the bench's dataset: the shape of admin_procedures.dossiers
// (key, month partitions, required columns, rules, PII tags, a row check)
// with an admin_unit column matched on the row's date. %s is the dataset's
// name under admin_procedures.
const schemaYAML = `dataset: admin_procedures.%s
label: Hồ sơ thủ tục hành chính (make bench)
label_en: Bench dossiers
description: Dossier-like rows written by make bench.
owner: Văn phòng UBND tỉnh
classification: restricted
key: [dossier_id]
partition: {column: received_at, transform: month}
columns:
  - {name: seq, label: Số thứ tự, label_en: Ordinal, type: int}
  - {name: dossier_id, label: Mã hồ sơ, label_en: Dossier id, type: string, required: true}
  - {name: agency_code, label: Mã cơ quan, label_en: Agency code, type: string, required: true}
  - {name: agency_name, label: Đơn vị xử lý, label_en: Processing agency, type: string}
  - {name: procedure_code, label: Mã thủ tục, label_en: Procedure code, type: string, required: true}
  - {name: procedure_name, label: Tên thủ tục, label_en: Procedure name, type: string}
  - {name: field_name, label: Lĩnh vực, label_en: Field, type: string}
  - {name: channel, label: Kênh thực hiện, label_en: Channel, type: int, values: ["1", "2", "3"]}
  - {name: owner_name, label: Chủ hồ sơ, label_en: Owner name, type: string, pii: name}
  - {name: owner_id_number, label: Số giấy tờ chủ hồ sơ, label_en: Owner id number, type: string, pii: cccd, pattern: '^\d{12}$'}
  - {name: phone, label: Số điện thoại, label_en: Phone, type: string, pii: phone}
  - {name: address, label: Địa chỉ, label_en: Address, type: string, pii: address}
  - name: commune_code
    label: Xã
    label_en: Commune
    type: admin_unit
    admin_unit: {date_column: received_at}
  - {name: received_at, label: Ngày tiếp nhận, label_en: Received at, type: timestamp, required: true, format: "yyyy-MM-dd HH:mm:ss"}
  - {name: due_at, label: Ngày hẹn trả, label_en: Due at, type: timestamp, format: "yyyy-MM-dd HH:mm:ss"}
  - {name: status, label: Trạng thái hồ sơ, label_en: Status, type: int, required: true, min: 1, max: 10}
  - {name: fee_vnd, label: Lệ phí (đồng), label_en: Fee (VND), type: "decimal(14,0)", min: 0}
  - {name: digitised, label: Có thành phần số hóa, label_en: Digitised, type: bool}
  - {name: documents, label: Số tài liệu nộp, label_en: Documents submitted, type: int, min: 0}
  - {name: updated_at, label: Cập nhật lúc, label_en: Updated at, type: timestamp, format: "yyyy-MM-dd HH:mm:ss"}
checks:
  - name: due_after_received
    assert: due_at >= received_at
    message: Ngày hẹn trả trước ngày tiếp nhận
`

// mappingYAML maps the source columns (the same in every source) to the
// dataset's.
const mappingYAML = `mapping:
  stt: seq
  ma_ho_so: dossier_id
  ma_co_quan: agency_code
  ten_co_quan: agency_name
  ma_thu_tuc: procedure_code
  ten_thu_tuc: procedure_name
  linh_vuc: field_name
  kenh: channel
  chu_ho_so: owner_name
  so_giay_to: owner_id_number
  dien_thoai: phone
  dia_chi: address
  ma_xa: commune_code
  ngay_tiep_nhan: received_at
  ngay_hen_tra: due_at
  trang_thai: status
  le_phi: fee_vnd
  so_hoa: digitised
  so_tai_lieu: documents
  cap_nhat_luc: updated_at
on_error: quarantine
`

// pipeline is one bench pipeline: its name (also the dataset's, under
// admin_procedures), its source block and its target mode.
type pipeline struct {
	name   string
	source string // the YAML of source:, indented by two spaces
	mode   string // overwrite | merge
}

func (p pipeline) yaml() string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\ndescription: make bench\nsource:\n%s", p.name, p.source)
	fmt.Fprintf(&b, "target:\n  dataset: admin_procedures.%s\n  mode: %s\n", p.name, p.mode)
	if p.mode == "merge" {
		b.WriteString("  key: [dossier_id]\n")
	}
	b.WriteString(mappingYAML)
	return b.String()
}

// khoConfig is a temporary Kho configuration: a kho.yaml naming a shared
// data folder (lake, catalog, run history) and a shared schemas folder (the
// province's schemas, copied since schemas_dir replaces the embedded ones, and
// one bench schema per bench pipeline), and a pipelines folder of its own or
// the province's.
type khoConfig struct {
	file       string // kho.yaml
	schemasDir string
	pipesDir   string
}

// copySchemas writes the embedded schemas under dir.
func copySchemas(dir string) error {
	err := fs.WalkDir(schemas.Embedded, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := schemas.Embedded.ReadFile(path)
		if err != nil {
			return err
		}
		out := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		return fmt.Errorf("copying the embedded schemas: %w", err)
	}
	return nil
}

// writeConfig writes dir/kho.yaml. pipesDir empty: dir/pipelines, for
// add.
func writeConfig(dir, dataDir, schemasDir, pipesDir string) (*khoConfig, error) {
	if pipesDir == "" {
		pipesDir = filepath.Join(dir, "pipelines")
	}
	for _, d := range []string{dir, pipesDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	y := fmt.Sprintf("data_dir: %s\nlake:\n  root: %s\npipelines_dir: %s\nschemas_dir: %s\nlog:\n  level: warn\n  format: text\n",
		dataDir, filepath.Join(dataDir, "lake"), pipesDir, schemasDir)
	file := filepath.Join(dir, "kho.yaml")
	if err := os.WriteFile(file, []byte(y), 0o644); err != nil {
		return nil, err
	}
	return &khoConfig{file: file, schemasDir: schemasDir, pipesDir: pipesDir}, nil
}

// add writes a bench pipeline and its schema.
func (c *khoConfig) add(p pipeline) error {
	if err := os.WriteFile(filepath.Join(c.schemasDir, "admin_procedures", p.name+".yaml"), []byte(fmt.Sprintf(schemaYAML, p.name)), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.pipesDir, p.name+".yaml"), []byte(p.yaml()), 0o644)
}
