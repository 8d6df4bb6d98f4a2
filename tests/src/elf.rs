//! What a firmware image takes of a board's memory, read from its ELF sections.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use object::elf::SHF_ALLOC;
use object::{Object, ObjectSection, SectionFlags, SectionKind};

/// Where RAM starts on both boards (`firmware/boards/*.x`); flash sits below it.
const RAM_ORIGIN: u64 = 0x2000_0000;

/// Bytes of flash and RAM that an image occupies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// Code, read-only data (the model blobs among them) and the initial values of `.data`.
    pub flash: u64,
    /// `.data`, `.bss` and `.uninit`: everything static in RAM; the stack comes on top.
    pub static_ram: u64,
}

/// Sums the allocated sections of the ELF at `path`.
///
/// # Errors
/// The file cannot be read or is not an ELF.
pub fn memory_use(path: &Path) -> Result<MemoryUse> {
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file = object::File::parse(&*bytes)
        .with_context(|| format!("{} is not an ELF file", path.display()))?;

    let mut usage = MemoryUse::default();
    for section in file.sections() {
        let allocated = matches!(
            section.flags(),
            SectionFlags::Elf { sh_flags } if sh_flags & u64::from(SHF_ALLOC) != 0
        );
        if !allocated || section.size() == 0 {
            continue;
        }
        if section.address() < RAM_ORIGIN {
            usage.flash += section.size();
        } else {
            usage.static_ram += section.size();
            // Initialised data is copied from flash at boot.
            if section.kind() != SectionKind::UninitializedData {
                usage.flash += section.size();
            }
        }
    }
    Ok(usage)
}
